package parse

import "testing"

// TestHeadingOf covers the spellings of the section headings that decide
// which table a grid belongs to, including Traditional and spaced-out
// text, which headingOf's cheap character test must not turn away.
func TestHeadingOf(t *testing.T) {
	for _, tc := range []struct {
		text string
		want int
	}{
		{"一、总体情况", 1},
		{"一、總體情況", 1},
		{"一 、 总 体 情 况", 1},
		{"（一）总体情况", 1},
		{"二、主动公开政府信息情况", 2},
		{"二、主動公開政府資訊情況", -1}, // 資訊 is not 信息: not a template heading
		{"二、主動公開政府信息情況", 2},
		{"三、收到和处理政府信息公开申请情况", 3},
		{"三、收到和處理政府信息公開申請情況", 3},
		{"3．依申请公开情况", -1}, // numbered with a digit: not a section heading
		{"三、依申请公开情况", 3},
		{"四、政府信息公开行政复议、行政诉讼情况", 4},
		{"四、政府資訊公開行政復議、行政訴訟情況", 4},
		{"五、存在的主要问题及改进情况", 5},
		{"五、存在的主要問題及改進情況", 5},
		{"五、主要问题及改进措施", 5},
		{"六、其他需要报告的事项", 6},
		{"六、其他需要報告的事項", 6},
		{"６、其他需要报告的事项", 6},
		{"编制单位：某县人民政府办公室", -1},
		{"2021年1月20日", -1},
		{"", -1},
	} {
		if got := headingOf(tc.text); got != tc.want {
			t.Errorf("headingOf(%q) = %d, want %d", tc.text, got, tc.want)
		}
		// The character test must never change the answer.
		if got, want := headingOf(tc.text), headingOfLabel(tc.text); tc.text != "" && got != want && want > 0 {
			t.Errorf("headingOf(%q) = %d, headingOfLabel says %d", tc.text, got, want)
		}
	}
}
