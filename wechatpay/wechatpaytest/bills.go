package wechatpaytest

import (
	"bytes"
	"compress/gzip"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Bills (下载账单), from the official pages:
//
//   - GET /v3/bill/tradebill?bill_date=…[&bill_type=…][&tar_type=GZIP] and
//     GET /v3/bill/fundflowbill?bill_date=…[&account_type=…][&tar_type=GZIP]
//     answer {"hash_type":"SHA1","hash_value","download_url"}
//     (https://pay.weixin.qq.com/doc/v3/merchant/4012556654); hash_value is
//     the SHA-1 of the original bill, before compression; download_url is
//     valid for 5 minutes (the trade bill page; the download page says 30
//     seconds); only the last three months can be applied for; the bills of
//     a day are generated from 9:00 the next day;
//   - 400 NO_STATEMENT_EXIST "请求的账单文件不存在" when the day had nothing to
//     bill, 400 STATEMENT_CREATING "账单生成中" before the bill is ready
//     (FAQ https://pay.weixin.qq.com/doc/v3/merchant/4013071254; the status
//     of STATEMENT_CREATING is not given: 400 is the sandbox's choice);
//   - the download is a signed GET of download_url whose answer is the file,
//     not signed (https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter8_1_12.shtml);
//     a download_url no longer valid is answered 400 INVALID_REQUEST: apply
//     again (the service-provider download page,
//     https://pay.weixin.qq.com/docs/partner/apis/batch-transfer-accounts-money/bill/download-bill.html).
//
// The sandbox's download_url is http://its-host/v3/billdownload/file?token=…,
// the token an authenticated statement of the application (HMAC-SHA256 under
// a key the server makes when it starts), so the sandbox keeps nothing per
// application. The file is built again for the download, from the same
// query: a BillSource must answer the same bytes for the same query.

// billURLLifetime is how long a download_url stays valid.
const billURLLifetime = 5 * time.Minute

// billMonths is how far back a bill can be applied for.
const billMonths = 3

// The bills, as BillQuery.Bill names them.
const (
	tradeBill    = "tradebill"
	fundFlowBill = "fundflowbill"
)

// The values of the type parameters (the lists of the cited pages) and
// their defaults. account_type ALL, which the direct merchant's page
// reserves for an e-commerce platform downloading a sub-merchant's bill, is
// refused with PARAM_ERROR: the sandbox's merchant is a direct merchant (the
// sandbox's choice).
var (
	tradeBillTypes   = []string{"ALL", "SUCCESS", "REFUND", "RECHARGE_REFUND", "ALL_SPECIAL", "SUC_SPECIAL", "REF_SPECIAL"}
	fundAccountTypes = []string{"BASIC", "OPERATION", "FEES"}
)

// BillQuery is a bill application, as a BillSource receives it.
type BillQuery struct {
	// Bill is "tradebill" (交易账单) or "fundflowbill" (资金账单).
	Bill string `json:"bill"`
	// Date is bill_date, the day billed (yyyy-MM-DD, +08:00).
	Date string `json:"date"`
	// Type is bill_type for a trade bill (ALL when absent), account_type
	// for a fund-flow bill (BASIC when absent).
	Type string `json:"type"`
}

// BillSource supplies the content of bill files, such as a behaviour that
// lists the day's orders and refunds. A Behaviour that implements it
// supplies the bills of the server it attaches to (one behaviour at most);
// without one, a bill is the sandbox's placeholder (see DefaultBill).
type BillSource interface {
	// BillContent returns the bill q asks for, uncompressed: the same
	// bytes every time for the same q, since the download builds it again.
	// ErrNoStatement says the day has nothing to bill.
	BillContent(q BillQuery) ([]byte, error)
}

// ErrNoStatement, from a BillSource, is answered 400 NO_STATEMENT_EXIST.
var ErrNoStatement = errors.New("wechatpaytest: no bill for that day")

// DefaultBill is the bill the sandbox serves without a BillSource: a few
// lines naming the query, the same for the same query. It is not WeChat
// Pay's layout, which the pages read do not give in full.
func DefaultBill(q BillQuery) []byte {
	var b strings.Builder
	b.WriteString("# wechatpaytest placeholder bill, not WeChat Pay's layout; a BillSource supplies real content\n")
	b.WriteString("bill,bill_date,type\n")
	fmt.Fprintf(&b, "`%s,`%s,`%s\n", q.Bill, q.Date, q.Type)
	return []byte(b.String())
}

// billParamError is a 400 PARAM_ERROR about a query parameter.
func billParamError(name, value, issue string) *Error {
	return ParamError(&Detail{Field: name, Value: value, Issue: issue, Location: "query"})
}

// parseBillQuery reads a bill application's query string at now: bill_date
// once, a date in the last three months (+08:00) whose bill is ready (from
// 9:00 the next day); the type parameter (bill_type or account_type) and
// tar_type at most once each and from their lists. It reports whether the
// bill is to be compressed (tar_type GZIP).
func parseBillQuery(bill string, q url.Values, now time.Time) (BillQuery, bool, *Error) {
	typeParam, types := "bill_type", tradeBillTypes
	if bill == fundFlowBill {
		typeParam, types = "account_type", fundAccountTypes
	}
	one := func(name string) (string, bool, *Error) {
		switch vs := q[name]; len(vs) {
		case 0:
			return "", false, nil
		case 1:
			return vs[0], true, nil
		default:
			return "", false, billParamError(name, vs[0], name+" is given more than once")
		}
	}
	date, ok, e := one("bill_date")
	if e != nil {
		return BillQuery{}, false, e
	}
	if !ok {
		return BillQuery{}, false, billParamError("bill_date", "", "bill_date is required")
	}
	day, err := time.ParseInLocation(time.DateOnly, date, chinaTime)
	if err != nil || day.Format(time.DateOnly) != date {
		return BillQuery{}, false, billParamError("bill_date", date, "bill_date must be a date yyyy-MM-DD")
	}
	typ, ok, e := one(typeParam)
	switch {
	case e != nil:
		return BillQuery{}, false, e
	case !ok:
		typ = types[0]
	case !slices.Contains(types, typ):
		return BillQuery{}, false, billParamError(typeParam, typ, typeParam+" must be one of "+strings.Join(types, ", "))
	}
	tar, ok, e := one("tar_type")
	switch {
	case e != nil:
		return BillQuery{}, false, e
	case ok && tar != "GZIP":
		return BillQuery{}, false, billParamError("tar_type", tar, "tar_type must be GZIP or absent")
	}
	local := now.In(chinaTime)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, chinaTime)
	switch ready := day.AddDate(0, 0, 1).Add(9 * time.Hour); {
	case day.After(today):
		return BillQuery{}, false, billParamError("bill_date", date, "bill_date is in the future")
	case day.Before(today.AddDate(0, -billMonths, 0)):
		return BillQuery{}, false, billParamError("bill_date", date, "only the bills of the last three months can be applied for")
	case local.Before(ready):
		return BillQuery{}, false, &Error{Status: http.StatusBadRequest, Code: "STATEMENT_CREATING", Message: "账单生成中",
			Detail: &Detail{Field: "bill_date", Value: date, Location: "query",
				Issue: "the bill of " + date + " is generated from " + ready.Format(time.RFC3339) + "; apply after 10:00"}}
	}
	return BillQuery{Bill: bill, Date: date, Type: typ}, ok, nil
}

// billToken is what a download_url's token states.
type billToken struct {
	Query   BillQuery `json:"q"`
	Gzip    bool      `json:"gzip,omitempty"`
	Expires int64     `json:"exp"` // Unix seconds, sandbox clock
}

// encodeBillToken writes t as base64url(JSON) "." base64url(HMAC-SHA256).
func encodeBillToken(key []byte, t billToken) string {
	payload, _ := json.Marshal(t) // strings, a bool and an integer
	p := base64.RawURLEncoding.EncodeToString(payload)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(p))
	return p + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// invalidBillURL is the answer to a download_url that is not, or no longer,
// valid.
func invalidBillURL(issue string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "INVALID_REQUEST", Message: "参数错误",
		Detail: &Detail{Field: "token", Issue: issue + "; apply for the bill again and use the new download_url", Location: "query"}}
}

// decodeBillToken reads a token encodeBillToken wrote with key and checks it
// is still valid at now (Unix seconds).
func decodeBillToken(key []byte, token string, now int64) (billToken, *Error) {
	p, sig, ok := strings.Cut(token, ".")
	want := hmac.New(sha256.New, key)
	want.Write([]byte(p))
	got, err := base64.RawURLEncoding.Strict().DecodeString(sig)
	if !ok || err != nil || !hmac.Equal(got, want.Sum(nil)) {
		return billToken{}, invalidBillURL("the token is not one the sandbox issued")
	}
	payload, err := base64.RawURLEncoding.Strict().DecodeString(p)
	var t billToken
	if err != nil || json.Unmarshal(payload, &t) != nil {
		return billToken{}, invalidBillURL("the token is not one the sandbox issued") // signed by us: cannot happen
	}
	if now > t.Expires {
		return billToken{}, invalidBillURL("the download_url expired")
	}
	return t, nil
}

// billContent returns the bill q asks for, from the BillSource or the
// placeholder.
func (s *Server) billContent(q BillQuery) ([]byte, error) {
	if s.bills == nil {
		return DefaultBill(q), nil
	}
	content, err := s.bills.BillContent(q)
	switch {
	case errors.Is(err, ErrNoStatement):
		return nil, &Error{Status: http.StatusBadRequest, Code: "NO_STATEMENT_EXIST", Message: "请求的账单文件不存在"}
	case err != nil:
		return nil, fmt.Errorf("BillSource: %w", err)
	}
	return content, nil
}

// applyBill answers a bill application.
func (s *Server) applyBill(bill string, c *Call) (*Response, error) {
	now := s.clock()
	q, gz, e := parseBillQuery(bill, c.Request.URL.Query(), now)
	if e != nil {
		return nil, e
	}
	content, err := s.billContent(q)
	if err != nil {
		return nil, err
	}
	sum := sha1.Sum(content)
	token := encodeBillToken(s.billKey, billToken{Query: q, Gzip: gz, Expires: now.Add(billURLLifetime).Unix()})
	return JSON(map[string]string{
		"hash_type":    "SHA1",
		"hash_value":   hex.EncodeToString(sum[:]),
		"download_url": s.URL + "/v3/billdownload/file?token=" + token,
	})
}

// downloadBill answers the GET of a download_url with the file, unsigned,
// gzip-compressed when the application asked so. FaultTamperedBody changes
// one byte of the bill before compression, so that the file still
// decompresses and only its hash tells.
func (s *Server) downloadBill(c *Call) (*Response, error) {
	tokens := c.Request.URL.Query()["token"]
	if len(tokens) != 1 {
		return nil, invalidBillURL("download_url has one token")
	}
	t, e := decodeBillToken(s.billKey, tokens[0], s.clock().Unix())
	if e != nil {
		return nil, e
	}
	content, err := s.billContent(t.Query)
	if err != nil {
		return nil, err
	}
	spoiled := c.fault == FaultTamperedBody
	if spoiled {
		content = tamper(content)
	}
	if t.Gzip {
		content = gzipBytes(content)
	}
	return &Response{Body: content, Unsigned: true, spoiled: spoiled,
		Header: http.Header{"Content-Type": {"application/octet-stream"}}}, nil
}

// gzipBytes compresses b; the output depends on b alone (no name, no time).
func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(b) // a bytes.Buffer does not fail
	_ = zw.Close()
	return buf.Bytes()
}
