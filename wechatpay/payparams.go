package wechatpay

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// The client-side payment parameters a mini program, a JSAPI page or an app
// needs to let the user pay an order placed with a JSAPI or APP order call.
// Both are signed with the merchant API key (SHA256 with RSA, Base64) over
// lines that each end in "\n", like a request signature:
//
//   - mini program (wx.requestPayment) and JSAPI page
//     (WeixinJSBridge getBrandWCPayRequest): appId, timeStamp, nonceStr,
//     package ("prepay_id=" + the order's prepay_id); signType "RSA" is sent
//     but not signed. Official pages:
//     https://pay.weixin.qq.com/docs/merchant/apis/mini-program-payment/mini-transfer-payment.html
//     and https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter7_2_9.shtml;
//   - app (the OpenSDK's PayReq): appid, timestamp, noncestr, prepayid;
//     partnerid and package ("Sign=WXPay") are sent but not signed. Official
//     pages: https://pay.weixin.qq.com/doc/v3/merchant/4012265144 and
//     https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter5_1_6.shtml.

// PaySignType is the signType of JSAPI and mini-program payment parameters:
// the only one APIv3 supports.
const PaySignType = "RSA"

// AppPayPackage is the fixed package value of app payment parameters.
const AppPayPackage = "Sign=WXPay"

// JSAPIPayParams are what a mini program passes to wx.requestPayment and a
// JSAPI page to WeixinJSBridge's getBrandWCPayRequest; json.Marshal gives
// the object those functions take (with appId, which wx.requestPayment
// ignores).
type JSAPIPayParams struct {
	AppID     string `json:"appId"`
	TimeStamp string `json:"timeStamp"` // Unix seconds
	NonceStr  string `json:"nonceStr"`
	Package   string `json:"package"`  // "prepay_id=" + prepay_id
	SignType  string `json:"signType"` // PaySignType
	PaySign   string `json:"paySign"`
}

// AppPayParams are what an app passes to the WeChat OpenSDK's PayReq;
// json.Marshal gives them with the field names the official page lists.
type AppPayParams struct {
	AppID     string `json:"appid"`
	PartnerID string `json:"partnerid"`
	PrepayID  string `json:"prepayid"`
	Package   string `json:"package"` // AppPayPackage
	NonceStr  string `json:"noncestr"`
	Timestamp string `json:"timestamp"` // Unix seconds
	Sign      string `json:"sign"`
}

// JSAPIPayParams signs the parameters that let a user pay the JSAPI or
// mini-program order prepayID in the mini program or official account
// appID (the appid the order was placed with), at the client's clock and a
// fresh nonce. A missing or malformed argument is a *ValidationError.
func (c *Client) JSAPIPayParams(appID, prepayID string) (*JSAPIPayParams, error) {
	if err := checkPayParams(appID, "appId", prepayID); err != nil {
		return nil, err
	}
	ts, nonce, err := c.payStamp()
	if err != nil {
		return nil, err
	}
	p := &JSAPIPayParams{AppID: appID, TimeStamp: ts, NonceStr: nonce, Package: "prepay_id=" + prepayID, SignType: PaySignType}
	if p.PaySign, err = Sign(c.key, payMessage(p.AppID, p.TimeStamp, p.NonceStr, p.Package)); err != nil {
		return nil, err
	}
	return p, nil
}

// AppPayParams signs the parameters that let a user pay the APP order
// prepayID in the app appID. partnerID is the merchant ID the order was
// placed for: the client's own for a direct merchant (empty means that one),
// the sub-merchant's for a service provider's order. A missing or malformed
// argument is a *ValidationError.
func (c *Client) AppPayParams(appID, partnerID, prepayID string) (*AppPayParams, error) {
	if partnerID == "" {
		partnerID = c.mchID
	}
	if err := checkPayParams(appID, "appid", prepayID); err != nil {
		return nil, err
	}
	if !headerSafe(partnerID) {
		return nil, &ValidationError{Field: "partnerid", Rule: "pattern", Message: "must be a merchant ID: ASCII letters, digits, '-' and '_'"}
	}
	ts, nonce, err := c.payStamp()
	if err != nil {
		return nil, err
	}
	p := &AppPayParams{AppID: appID, PartnerID: partnerID, PrepayID: prepayID, Package: AppPayPackage, NonceStr: nonce, Timestamp: ts}
	if p.Sign, err = Sign(c.key, payMessage(p.AppID, p.Timestamp, p.NonceStr, p.PrepayID)); err != nil {
		return nil, err
	}
	return p, nil
}

// payStamp returns the timestamp and nonce of a new set of payment parameters.
func (c *Client) payStamp() (string, string, error) {
	nonce, err := c.newNonce()
	if err != nil {
		return "", "", err
	}
	return strconv.FormatInt(c.clock().Unix(), 10), nonce, nil
}

// payMessage is the signed string: each line followed by "\n".
func payMessage(lines ...string) []byte {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// checkPayParams refuses what would make the signed lines ambiguous or name
// nothing: an empty value, a line break or another control character, text
// that is not UTF-8, and values longer than the official pages allow (appid
// 32 characters, prepay_id 64).
func checkPayParams(appID, appField, prepayID string) error {
	for _, f := range []struct {
		name, value string
		max         int
	}{{appField, appID, 32}, {"prepay_id", prepayID, 64}} {
		switch {
		case f.value == "":
			return &ValidationError{Field: f.name, Rule: "required", Message: "is required"}
		case !utf8.ValidString(f.value):
			return &ValidationError{Field: f.name, Rule: "utf8", Message: "is not valid UTF-8"}
		case strings.ContainsFunc(f.value, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			return &ValidationError{Field: f.name, Rule: "pattern", Message: "holds a control character, which would break the signed lines"}
		case utf8.RuneCountInString(f.value) > f.max:
			return &ValidationError{Field: f.name, Rule: "maxLength",
				Message: "has " + strconv.Itoa(utf8.RuneCountInString(f.value)) + " characters, at most " + strconv.Itoa(f.max) + " are allowed"}
		}
	}
	return nil
}
