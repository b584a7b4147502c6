package payments

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzTradeBill: whatever text a merchant gives an order (description,
// attach, device), the trade bill is one CSV record per line, each field
// prefixed with a backquote, and the text comes back as written, its line
// breaks escaped.
func FuzzTradeBill(f *testing.F) {
	f.Add("Image形象店-深圳腾大-QQ公仔", "自定义数据", "")
	f.Add(`a,b "c"`, "x\r\ny", "013467007045764")
	f.Add("`", "\"", "\n")
	f.Add("", ",,,", " \t")
	f.Fuzz(func(t *testing.T, descr, attach, device string) {
		// The JSON of a request holds valid UTF-8 only.
		descr, attach, device = strings.ToValidUTF8(descr, "\uFFFD"), strings.ToValidUTF8(attach, "\uFFFD"), strings.ToValidUTF8(device, "\uFFFD")
		paid := time.Date(2026, 3, 10, 10, 0, 0, 0, chinaTime)
		fam := New(Options{})
		o := &order{kind: prepayKinds["jsapiPrepay"], outTradeNo: "fuzz-0001", appID: "wx1", mchID: "1900000109",
			descr: descr, attach: attach, deviceID: device, total: 12345, currency: "CNY", openID: "o1",
			state: StateSuccess, transactionID: "sandbox1", paidAt: paid}
		fam.orders[o.key()] = o
		content, err := fam.tradeBill("2026-03-10", "ALL", paid.Add(billCutoff))
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(bytes.NewReader(content))
		r.FieldsPerRecord = -1
		records, err := r.ReadAll()
		if err != nil {
			t.Fatalf("the bill does not parse: %v\n%s", err, content)
		}
		if len(records) != 4 || !slices.Equal(records[0], tradeAllColumns) || !slices.Equal(records[2], tradeSummaryColumns) {
			t.Fatalf("records %q", records)
		}
		if n := bytes.Count(content, []byte("\n")); n != 4 {
			t.Errorf("%d lines, want 4:\n%s", n, content)
		}
		line := records[1]
		if len(line) != len(tradeAllColumns) {
			t.Fatalf("%d fields, want %d", len(line), len(tradeAllColumns))
		}
		for i, c := range tradeAllColumns {
			if len(line[i]) == 0 || line[i][0] != '`' {
				t.Errorf("%s = %q, want a backquote first", c, line[i])
			}
		}
		got := map[string]string{}
		for i, c := range tradeAllColumns {
			got[c] = line[i][1:]
		}
		for c, want := range map[string]string{"商品名称": descr, "商户数据包": attach, "设备号": device, "应结订单金额": "123.45"} {
			if got[c] != lineBreaks.Replace(want) {
				t.Errorf("%s = %q, want %q", c, got[c], lineBreaks.Replace(want))
			}
		}
	})
}
