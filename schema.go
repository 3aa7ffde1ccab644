package nianbao

import "strconv"

// Field is one canonical cell of a template: its key t<table>.<row>.<column>
// and the labels the national template prints for it.
type Field struct {
	Key      string `json:"key"`
	Table    int    `json:"table"` // 2, 3 or 4
	Row      string `json:"row"`   // row key, e.g. "denied.safety"
	Col      string `json:"col"`   // column key, e.g. "natural"
	RowLabel string `json:"row_label"`
	ColLabel string `json:"col_label"`
	Unit     string `json:"unit"` // 件, 项, 个 or 万元
}

// RowDef is a row of a template table with the columns it has.
type RowDef struct {
	Key   string
	Label string
	Cols  []ColDef
}

// ColDef is a column of a template table.
type ColDef struct {
	Key   string
	Label string
	Unit  string
}

var (
	colsDocs2019 = []ColDef{{"made", "本年新制作数量", "件"}, {"published", "本年新公开数量", "件"}, {"total", "对外公开总数量", "件"}}
	colsItems    = []ColDef{{"prev", "上一年项目数量", "项"}, {"change", "本年增/减", "项"}, {"decisions", "处理决定数量", "件"}}
	colsDocs2021 = []ColDef{{"issued", "本年制发件数", "件"}, {"repealed", "本年废止件数", "件"}, {"in_force", "现行有效件数", "件"}}
	colsDecision = []ColDef{{"decisions", "本年处理决定数量", "件"}}
)

// T2Cols are the columns of table 二 over both templates, for a table that
// holds the rows of either: the documents columns of 2019 and of 2021, the
// items columns, then procurement's count and the amounts (fees, 2021;
// procurement, 2019). A row uses some of them.
var T2Cols = []ColDef{
	colsDocs2019[0], colsDocs2019[1], colsDocs2019[2],
	colsDocs2021[0], colsDocs2021[1], colsDocs2021[2],
	colsItems[0], colsItems[1], colsItems[2],
	{"count", "采购项目数量", "项"}, {"amount", "金额（万元）", "万元"},
}

// T2Rows2019 and T2Rows2021 are the rows of table 二 of each template.
var T2Rows2019 = []RowDef{
	{"rules", "规章", colsDocs2019},
	{"normative", "规范性文件", colsDocs2019},
	{"license", "行政许可", colsItems},
	{"other_service", "其他对外管理服务事项", colsItems},
	{"penalty", "行政处罚", colsItems},
	{"coercion", "行政强制", colsItems},
	{"fees", "行政事业性收费", colsItems[:2]},
	{"procurement", "政府集中采购", []ColDef{{"count", "采购项目数量", "项"}, {"amount", "采购总金额", "万元"}}},
}

var T2Rows2021 = []RowDef{
	{"rules", "规章", colsDocs2021},
	{"normative", "行政规范性文件", colsDocs2021},
	{"license", "行政许可", colsDecision},
	{"penalty", "行政处罚", colsDecision},
	{"coercion", "行政强制", colsDecision},
	{"fees", "行政事业性收费", []ColDef{{"amount", "本年收费金额（单位：万元）", "万元"}}},
}

// T3Cols are the applicant columns of table 三, in printed order.
var T3Cols = []ColDef{
	{"natural", "自然人", "件"},
	{"commercial", "商业企业", "件"},
	{"research", "科研机构", "件"},
	{"social", "社会公益组织", "件"},
	{"legal", "法律服务机构", "件"},
	{"other_org", "其他", "件"},
	{"total", "总计", "件"},
}

// T3ApplicantCols are the columns whose sum is the total column (rule 3).
var T3ApplicantCols = []string{"natural", "commercial", "research", "social", "legal", "other_org"}

func t3(key, label string) RowDef { return RowDef{key, label, T3Cols} }

var t3Head = []RowDef{
	t3("new", "一、本年新收政府信息公开申请数量"),
	t3("carried", "二、上年结转政府信息公开申请数量"),
	t3("granted", "三、本年度办理结果 （一）予以公开"),
	t3("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
	t3("denied.secret", "（三）不予公开 1.属于国家秘密"),
	t3("denied.law", "2.其他法律行政法规禁止公开"),
	t3("denied.safety", "3.危及“三安全一稳定”"),
	t3("denied.third_party", "4.保护第三方合法权益"),
	t3("denied.internal", "5.属于三类内部事务信息"),
	t3("denied.process", "6.属于四类过程性信息"),
	t3("denied.enforcement", "7.属于行政执法案卷"),
	t3("denied.query", "8.属于行政查询事项"),
	t3("unable.not_held", "（四）无法提供 1.本机关不掌握相关政府信息"),
	t3("unable.need_create", "2.没有现成信息需要另行制作"),
	t3("unable.unclear", "3.补正后申请内容仍不明确"),
	t3("rejected.petition", "（五）不予处理 1.信访举报投诉类申请"),
	t3("rejected.duplicate", "2.重复申请"),
	t3("rejected.publication", "3.要求提供公开出版物"),
	t3("rejected.excessive", "4.无正当理由大量反复申请"),
	t3("rejected.confirm", "5.要求行政机关确认或重新出具已获取信息"),
}

var t3Tail = []RowDef{
	t3("outcome_total", "（七）总计"),
	t3("carry_forward", "四、结转下年度继续办理"),
}

// T3OtherOne is the single （六）其他处理 row of the 2019 template; T3OtherSplit
// its three sub-rows in the 2021 template.
var (
	T3OtherOne   = []RowDef{t3("other", "（六）其他处理")}
	T3OtherSplit = []RowDef{
		t3("other.no_correction", "（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
		t3("other.no_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
		t3("other.other", "3.其他"),
	}
)

// T3Rows returns the rows of table 三; split selects the three （六） sub-rows.
// The slice is shared: callers must not modify it.
func T3Rows(split bool) []RowDef {
	if split {
		return t3RowsSplit
	}
	return t3RowsOne
}

var (
	t3RowsOne, t3RowsSplit       = t3Rows(false), t3Rows(true)
	t3OutcomeOne, t3OutcomeSplit = t3Outcome(false), t3Outcome(true)
)

func t3Rows(split bool) []RowDef {
	rows := append([]RowDef{}, t3Head...)
	if split {
		rows = append(rows, T3OtherSplit...)
	} else {
		rows = append(rows, T3OtherOne...)
	}
	return append(rows, t3Tail...)
}

// T3OutcomeRows returns the keys of the outcome rows whose sum is
// outcome_total (rule 2). The slice is shared: callers must not modify it.
func T3OutcomeRows(split bool) []string {
	if split {
		return t3OutcomeSplit
	}
	return t3OutcomeOne
}

func t3Outcome(split bool) []string {
	var keys []string
	for _, r := range T3Rows(split) {
		switch r.Key {
		case "new", "carried", "outcome_total", "carry_forward":
			continue
		}
		keys = append(keys, r.Key)
	}
	return keys
}

// T4Cols are the columns of each row of table 四.
var T4Cols = []ColDef{
	{"upheld", "结果维持", "件"},
	{"corrected", "结果纠正", "件"},
	{"other", "其他结果", "件"},
	{"pending", "尚未审结", "件"},
	{"total", "总计", "件"},
}

// T4Rows are the rows of table 四, in the order the single printed row of
// 15 numbers lists them.
var T4Rows = []RowDef{
	{"review", "行政复议", T4Cols},
	{"suit_direct", "行政诉讼 未经复议直接起诉", T4Cols},
	{"suit_after_review", "行政诉讼 复议后起诉", T4Cols},
}

// Schema returns every canonical cell of a template in a stable order:
// table 二, 三, 四, rows as printed, columns as printed. For template 2021
// table 三 has the three （六） sub-rows; SchemaWith chooses explicitly, for
// reports that print table 三 otherwise.
func Schema(t Template) []Field {
	return SchemaWith(t, t == Template2021)
}

// SchemaWith is Schema with an explicit choice of the （六） rows of table 三.
// The slice is shared: callers must not modify it.
func SchemaWith(t Template, t3Split bool) []Field {
	switch {
	case t == Template2019 && !t3Split:
		return schema2019
	case t == Template2019:
		return schema2019Split
	case t == Template2021 && t3Split:
		return schema2021
	case t == Template2021:
		return schema2021One
	}
	return nil
}

var (
	schema2019, schema2019Split = schemaWith(Template2019, false), schemaWith(Template2019, true)
	schema2021, schema2021One   = schemaWith(Template2021, true), schemaWith(Template2021, false)
)

func schemaWith(t Template, t3Split bool) []Field {
	var t2 []RowDef
	switch t {
	case Template2019:
		t2 = T2Rows2019
	case Template2021:
		t2 = T2Rows2021
	default:
		return nil
	}
	var out []Field
	add := func(table int, rows []RowDef) {
		for _, r := range rows {
			for _, c := range r.Cols {
				out = append(out, Field{
					Key:   Key(table, r.Key, c.Key),
					Table: table, Row: r.Key, Col: c.Key,
					RowLabel: r.Label, ColLabel: c.Label, Unit: c.Unit,
				})
			}
		}
	}
	add(2, t2)
	add(3, T3Rows(t3Split))
	add(4, T4Rows)
	return out
}

// Key builds a canonical key from its parts.
func Key(table int, row, col string) string {
	return "t" + strconv.Itoa(table) + "." + row + "." + col
}

var fieldIndex = func() map[string]Field {
	m := map[string]Field{}
	for _, t := range []Template{Template2019, Template2021} {
		for _, split := range []bool{false, true} {
			for _, f := range SchemaWith(t, split) {
				m[f.Key] = f
			}
		}
	}
	return m
}()

// LookupField returns the field of a canonical key of either template.
func LookupField(key string) (Field, bool) {
	f, ok := fieldIndex[key]
	return f, ok
}

// AllFields returns the union of the fields of both templates, each key once,
// in a stable order (template 2019 first, then what 2021 adds).
func AllFields() []Field {
	seen := map[string]bool{}
	var out []Field
	for _, t := range []Template{Template2019, Template2021} {
		for _, split := range []bool{false, true} {
			for _, f := range SchemaWith(t, split) {
				if !seen[f.Key] {
					seen[f.Key] = true
					out = append(out, f)
				}
			}
		}
	}
	return out
}
