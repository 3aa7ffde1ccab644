package normalize

// Number and Amount read a figure into a fresh value, for the tests; the
// parser reads into its slabs with NumberTo and AmountTo.

// Number reads one printed figure. It accepts full-width digits, thousands
// separators (1,808,595), a sign or 增/减 for signed changes, and a unit
// after the figure. Blank marks (empty, -, —, /, 无) give a nil Value with
// the reason. Anything else is ErrNotNumber, with Blank "unreadable".
func Number(raw string) (Figure, error) {
	v, f, err := number(raw)
	if f.Blank == "" && err == nil {
		f.Value = &v
	}
	return f, err
}

// Amount reads a money figure into 万元. headerUnit is the unit the column
// header states ("元" or "万元", "" when it states none); a unit printed with
// the figure wins over it.
func Amount(raw, headerUnit string) (Figure, error) {
	v, f, err := amount(raw, headerUnit)
	if f.Blank == "" && err == nil {
		f.Value = &v
	}
	return f, err
}
