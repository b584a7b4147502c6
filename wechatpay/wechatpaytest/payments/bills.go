package payments

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/payforge/wechatpay/wechatpay/wechatpaytest"
)

// The layouts of the bill files, from the official pages
// (https://pay.weixin.qq.com/docs/merchant/products/bill-download/format-trade.html,
// https://pay.weixin.qq.com/docs/merchant/products/bill-download/format-fundflow.html):
// the header of the detail lines and of the summary line of each bill type
// (BillColumns).
var (
	tradeAllColumns = []string{"交易时间", "公众账号ID", "商户号", "特约商户号", "设备号", "微信订单号", "商户订单号", "用户标识",
		"交易类型", "交易状态", "付款银行", "货币种类", "应结订单金额", "代金券金额", "微信退款单号", "商户退款单号", "退款金额",
		"充值券退款金额", "退款类型", "退款状态", "商品名称", "商户数据包", "手续费", "费率", "订单金额", "申请退款金额", "费率备注"}
	tradeSuccessColumns = []string{"交易时间", "公众账号ID", "商户号", "特约商户号", "设备号", "微信订单号", "商户订单号", "用户标识",
		"交易类型", "交易状态", "付款银行", "货币种类", "应结订单金额", "代金券金额", "商品名称", "商户数据包", "手续费", "费率",
		"订单金额", "费率备注"}
	tradeRefundColumns = []string{"交易时间", "公众账号ID", "商户号", "特约商户号", "设备号", "微信订单号", "商户订单号", "用户标识",
		"交易类型", "交易状态", "付款银行", "货币种类", "应结订单金额", "代金券金额", "退款申请时间", "退款成功时间", "微信退款单号",
		"商户退款单号", "退款金额", "充值券退款金额", "退款类型", "退款状态", "商品名称", "商户数据包", "手续费", "费率", "订单金额",
		"申请退款金额", "费率备注"}
	tradeSummaryColumns        = []string{"总交易单数", "应结订单总金额", "退款总金额", "充值券退款总金额", "手续费总金额", "订单总金额", "申请退款总金额"}
	tradeSuccessSummaryColumns = []string{"总交易单数", "应结订单总金额", "手续费总金额", "订单总金额"}
	fundFlowColumns            = []string{"记账时间", "微信支付业务单号", "资金流水单号", "业务名称", "业务类型", "收支类型", "收支金额(元)",
		"账户结余(元)", "资金变更提交申请人", "备注", "业务凭证号"}
	fundFlowSummaryColumns = []string{"资金流水总笔数", "收入笔数", "收入金额", "支出笔数", "支出金额"}
)

// BillColumns returns the header of a bill's detail lines and that of its
// summary line: bill "tradebill" with bill type ALL, SUCCESS or REFUND, or
// "fundflowbill" (the basic account's); nil for any other.
func BillColumns(bill, billType string) (detail, summary []string) {
	switch {
	case bill == "tradebill" && billType == "ALL":
		detail, summary = tradeAllColumns, tradeSummaryColumns
	case bill == "tradebill" && billType == "SUCCESS":
		detail, summary = tradeSuccessColumns, tradeSuccessSummaryColumns
	case bill == "tradebill" && billType == "REFUND":
		detail, summary = tradeRefundColumns, tradeSummaryColumns
	case bill == "fundflowbill":
		detail, summary = fundFlowColumns, fundFlowSummaryColumns
	}
	return slices.Clone(detail), slices.Clone(summary)
}

// Sandbox values of the bills: the sandbox charges no fee, and its fund
// flow numbers are its own.
const (
	// FeeRate is the 费率 of every line: the sandbox charges no fee.
	FeeRate = "0.00%"
	// FlowNoPrefix starts every 资金流水单号: "sandbox-flow-" and ten digits,
	// counting the basic account's flows since the sandbox started.
	FlowNoPrefix = "sandbox-flow-"
)

// billCutoff is when the bills of a day are made, 9:00 the next day
// (+08:00): a refund line shows the refund's status then
// ("出账后退款状态不更新"), so that a bill is the same file whenever it is
// downloaded.
const billCutoff = 33 * time.Hour

// flow is one entry of the basic account's fund flow.
type flow struct {
	at       time.Time
	income   bool
	amount   int64 // fen
	business string
	name     string // 业务名称
	kind     string // 业务类型
	voucher  string // 业务凭证号
}

// yuan writes fen as yuan with two decimals, as the bills do.
func yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

// billTime writes t as the bills do, yyyy-MM-dd HH:mm:ss in +08:00.
func billTime(t time.Time) string { return t.In(chinaTime).Format(time.DateTime) }

// onDay reports whether t falls on day (yyyy-MM-DD, +08:00).
func onDay(t time.Time, day string) bool {
	return !t.IsZero() && t.In(chinaTime).Format(time.DateOnly) == day
}

// BillContent returns the day's bill (see wechatpaytest.BillSource): the
// trade bill lists the day's payments and the refunds requested that day,
// the basic account's fund-flow bill the money that moved; a day with
// nothing is wechatpaytest.ErrNoStatement. The layouts are in the package
// doc. The same query gives the same bytes whenever it is asked, once the
// day's bill is made.
func (f *Family) BillContent(q wechatpaytest.BillQuery) ([]byte, error) {
	day, err := time.ParseInLocation(time.DateOnly, q.Date, chinaTime)
	if err != nil {
		return nil, fmt.Errorf("payments: bill date %q: %w", q.Date, err)
	}
	cutoff := day.Add(billCutoff)
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case q.Bill == "tradebill" && (q.Type == "ALL" || q.Type == "SUCCESS" || q.Type == "REFUND"):
		return f.tradeBill(q.Date, q.Type, cutoff)
	case q.Bill == "fundflowbill" && q.Type == "BASIC":
		return f.fundFlowBill(q.Date)
	}
	// Recharge refunds and personalised bills (RECHARGE_REFUND,
	// *_SPECIAL), and the operation and fee accounts: the sandbox has none.
	return nil, wechatpaytest.ErrNoStatement
}

// line is one detail line of a trade bill, by column.
type line struct {
	at     time.Time
	id     string // orders the lines of one instant
	fields map[string]string
}

// tradeBill writes the trade bill of day of bill type typ.
func (f *Family) tradeBill(day, typ string, cutoff time.Time) ([]byte, error) {
	var lines []line
	var count int
	var settled, refunded, ordered, requested int64
	if typ != "REFUND" {
		for _, o := range f.orders {
			if !onDay(o.paidAt, day) {
				continue
			}
			l := orderLine(o, o.paidAt)
			l.fields["交易状态"] = StateSuccess
			l.fields["应结订单金额"], l.fields["订单金额"] = yuan(o.total), yuan(o.total)
			lines = append(lines, l)
			count++
			settled += o.total
			ordered += o.total
		}
	}
	if typ != "SUCCESS" {
		for _, r := range f.refunds {
			if !onDay(r.createdAt, day) {
				continue
			}
			l := orderLine(r.order, r.createdAt)
			l.id = r.refundID
			status := r.statusAt(cutoff)
			l.fields["交易状态"] = StateRefund
			l.fields["退款申请时间"] = billTime(r.createdAt)
			if status == RefundSuccess {
				l.fields["退款成功时间"] = billTime(r.endedAt)
			}
			l.fields["微信退款单号"], l.fields["商户退款单号"] = r.refundID, r.outRefundNo
			l.fields["退款金额"], l.fields["申请退款金额"] = yuan(r.amount), yuan(r.amount)
			l.fields["退款类型"], l.fields["退款状态"] = RefundChannel, status
			lines = append(lines, l)
			count++
			refunded += r.amount
			requested += r.amount
		}
	}
	if len(lines) == 0 {
		return nil, wechatpaytest.ErrNoStatement
	}
	slices.SortFunc(lines, func(a, b line) int {
		return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.id, b.id))
	})
	columns, summaryColumns := tradeAllColumns, tradeSummaryColumns
	switch typ {
	case "SUCCESS":
		columns, summaryColumns = tradeSuccessColumns, tradeSuccessSummaryColumns
	case "REFUND":
		columns = tradeRefundColumns
	}
	summary := map[string]string{
		"总交易单数": strconv.Itoa(count), "应结订单总金额": yuan(settled), "退款总金额": yuan(refunded),
		"充值券退款总金额": yuan(0), "手续费总金额": yuan(0), "订单总金额": yuan(ordered), "申请退款总金额": yuan(requested),
	}
	rows := make([]map[string]string, len(lines))
	for i, l := range lines {
		rows[i] = l.fields
	}
	return writeBill(columns, rows, summaryColumns, summary)
}

// orderLine is the line of a bill about order o at t, with the columns a
// payment and a refund share; the amount and refund columns are zero.
func orderLine(o *order, at time.Time) line {
	subMchID := o.subMchID
	if subMchID == "" {
		subMchID = "0" // an ordinary merchant's, as the format page says
	}
	zero := yuan(0)
	return line{at: at, id: o.transactionID, fields: map[string]string{
		"交易时间": billTime(at), "公众账号ID": o.appID, "商户号": o.mchID, "特约商户号": subMchID, "设备号": o.deviceID,
		"微信订单号": o.transactionID, "商户订单号": o.outTradeNo, "用户标识": o.openID, "交易类型": o.kind.tradeType,
		"付款银行": BankType, "货币种类": o.currency, "应结订单金额": zero, "代金券金额": zero, "退款金额": zero,
		"充值券退款金额": zero, "商品名称": o.descr, "商户数据包": o.attach, "手续费": zero, "费率": FeeRate,
		"订单金额": zero, "申请退款金额": zero,
	}}
}

// fundFlowBill writes the basic account's fund-flow bill of day.
func (f *Family) fundFlowBill(day string) ([]byte, error) {
	var rows []map[string]string
	var balance, income, expense int64
	var incomes, expenses int
	for i, e := range f.ledger {
		amount := e.amount
		if !e.income {
			amount = -amount
		}
		balance += amount
		if !onDay(e.at, day) {
			continue
		}
		direction := "收入"
		if e.income {
			incomes++
			income += e.amount
		} else {
			direction = "支出"
			expenses++
			expense += e.amount
		}
		rows = append(rows, map[string]string{
			"记账时间": billTime(e.at), "微信支付业务单号": e.business, "资金流水单号": fmt.Sprintf("%s%010d", FlowNoPrefix, i+1),
			"业务名称": e.name, "业务类型": e.kind, "收支类型": direction, "收支金额(元)": yuan(e.amount),
			"账户结余(元)": yuan(balance), "业务凭证号": e.voucher,
		})
	}
	if len(rows) == 0 {
		return nil, wechatpaytest.ErrNoStatement
	}
	summary := map[string]string{
		"资金流水总笔数": strconv.Itoa(len(rows)), "收入笔数": strconv.Itoa(incomes), "收入金额": yuan(income),
		"支出笔数": strconv.Itoa(expenses), "支出金额": yuan(expense),
	}
	return writeBill(fundFlowColumns, rows, fundFlowSummaryColumns, summary)
}

// lineBreaks writes a carriage return and a line feed inside a value as
// the two characters \r and \n, the escaping of the fund-flow format page,
// so that every line of a bill is one record.
var lineBreaks = strings.NewReplacer("\r", `\r`, "\n", `\n`)

// writeBill writes a bill file: the detail header, the detail lines, the
// summary header and the summary line, each field of the lines prefixed
// with a backquote, as the format pages say, its line breaks escaped
// (lineBreaks), and quoted as CSV (RFC 4180) where it holds a comma or a
// quote.
func writeBill(columns []string, rows []map[string]string, summaryColumns []string, summary map[string]string) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	record := func(cols []string, values map[string]string) []string {
		out := make([]string, len(cols))
		for i, c := range cols {
			out[i] = "`" + lineBreaks.Replace(values[c])
		}
		return out
	}
	_ = w.Write(columns) // a bytes.Buffer does not fail; w.Error reports the rest
	for _, r := range rows {
		_ = w.Write(record(columns, r))
	}
	_ = w.Write(summaryColumns)
	_ = w.Write(record(summaryColumns, summary))
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("payments: write bill: %w", err)
	}
	return b.Bytes(), nil
}
