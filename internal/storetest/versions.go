package storetest

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"unicode/utf8"

	"github.com/nianbao/nianbao"
	"github.com/nianbao/nianbao/internal/fixture"
)

// Organ names for VersionsDoc: 30 × 20 × 20 = 12,000 distinct organs.
var (
	vCities = []string{"新乡市", "淮安市", "洛阳市", "宜昌市", "绍兴市", "泉州市", "赣州市", "遵义市", "曲靖市", "榆林市",
		"酒泉市", "包头市", "大庆市", "鞍山市", "保定市", "临汾市", "潍坊市", "柳州市", "南充市", "常德市",
		"芜湖市", "九江市", "开封市", "镇江市", "湖州市", "襄阳市", "漳州市", "吉安市", "安顺市", "玉溪市"}
	vDistricts = []string{"卫滨区", "清江浦区", "西工区", "夷陵区", "柯桥区", "丰泽区", "章贡区", "汇川区", "麒麟区", "榆阳区",
		"肃州区", "昆都仑区", "萨尔图区", "铁东区", "莲池区", "尧都区", "奎文区", "柳南区", "顺庆区", "武陵区"}
	vOrgans = []string{"人民政府", "人民政府办公室", "发展和改革委员会", "教育局", "公安局", "民政局", "司法局", "财政局",
		"生态环境局", "住房和城乡建设局", "交通运输局", "水利局", "农业农村局", "商务局", "卫生健康委员会", "应急管理局",
		"审计局", "市场监督管理局", "统计局", "医疗保障局"}
)

// VersionsDoc renders the i-th of n documents that are one report (a text
// page of seed) with one character of its prose changed: each is a new
// version of the organ and year (same figures, same format, other prose).
// With organs, the same document is about an organ of its own instead (the
// i-th of 12,000 names), so that it is no version of any other: the two
// corpora cost the same to read, and differ only in how many versions of
// one organ and year the store holds.
func VersionsDoc(seed uint64, i int, organs bool) (name string, data []byte) {
	rng := rand.New(rand.NewPCG(seed, 0x7665))
	s := fixture.Random(rng, nianbao.Template2021)
	st := fixture.TextStyle{Common: fixture.RandomCommon(rng), Encoding: "utf-8", Layout: "tab"}
	if organs {
		s.Agency = vCities[i%len(vCities)] + vDistricts[(i/len(vCities))%len(vDistricts)] +
			vOrgans[(i/(len(vCities)*len(vDistricts)))%len(vOrgans)]
	}
	data = fixture.Text(s, st)
	// The third character of the paragraph after the heading of section 五
	// becomes the i-th CJK ideograph.
	at := bytes.Index(data, []byte("\n五、"))
	if at < 0 {
		panic("storetest.VersionsDoc: no section 五 in the generated report")
	}
	at += bytes.IndexByte(data[at+1:], '\n') + 2 // the line after the heading
	for data[at] == '\n' || data[at] == '\r' || data[at] == ' ' {
		at++
	}
	for range 2 {
		_, n := utf8.DecodeRune(data[at:])
		at += n
	}
	_, n := utf8.DecodeRune(data[at:])
	out := append([]byte(nil), data[:at]...)
	out = utf8.AppendRune(out, rune(0x4E00+i%20000))
	out = append(out, data[at+n:]...)
	return fmt.Sprintf("v%06d.txt", i), out
}

// VersionsCorpus is Corpus for VersionsDoc: a folder of n such documents,
// written on first use and reused after.
func VersionsCorpus(seed uint64, n int, organs bool) (string, error) {
	kind := "versions"
	if organs {
		kind = "organs"
	}
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("nianbao-corpus-%s-%d-%d", kind, seed, n))
	marker := filepath.Join(dir, ".complete")
	if _, err := os.Stat(marker); err == nil {
		return dir, nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for i := range n {
		name, data := VersionsDoc(seed, i, organs)
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return "", err
		}
	}
	return dir, os.WriteFile(marker, nil, 0o644)
}
