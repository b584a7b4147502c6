// Package profitsharing is the sandbox's behaviour for adding profit-sharing
// receivers (分账, 添加分账接收方), the example of an operation whose request
// carries an encrypted field: the receiver's name, encrypted with
// RSAES-OAEP under the WeChat Pay key that the request's Wechatpay-Serial
// names, and echoed in the answer encrypted under the merchant's key.
//
//	family := profitsharing.New()
//	srv, err := wechatpaytest.NewServer(wechatpaytest.Options{
//		Behaviours: []wechatpaytest.Behaviour{family},
//	})
//	if err != nil { … }
//	defer srv.Close()
//	rt, err := wechatpay.NewClient(srv.ClientConfig())
//	enc, err := rt.Encrypter()
//	name, err := enc.Encrypt("name", "示例商户全称")
//	// POST /v3/profitsharing/receivers/add with {"name": name, …},
//	// wechatpay.Request.WechatpaySerial set to enc.Serial()
//	family.Receiver("MERCHANT_ID", "86693852") // Name is the plaintext
//
// The family brings the spec of its operation (profitsharing.yaml, through
// wechatpaytest.SpecProvider), since no spec of the family is embedded yet;
// the engine serves an embedded spec of the same operation instead once
// there is one.
//
// # addReceiver
//
// POST /v3/profitsharing/receivers/add
// (https://pay.weixin.qq.com/docs/partner/apis/profit-sharing/receivers/add-receiver.html)
// takes sub_mchid, appid, sub_appid, type, account, name (encrypted),
// relation_type and custom_relation. After the engine's checks (signature,
// spec) the family decrypts name with wechatpaytest.Call.DecryptField, whose
// answers to a missing or wrong Wechatpay-Serial and to a value that does not
// decrypt are WeChat Pay's (see package wechatpaytest). Then, each a 400
// PARAM_ERROR naming the field: name is required when type is MERCHANT_ID;
// custom_relation when relation_type is CUSTOM; sub_appid when type is
// PERSONAL_SUB_OPENID (the page's rules). The receiver is kept by type and
// account, replacing one added before, and the answer echoes it, the name
// encrypted under the merchant's key (wechatpaytest.Server.EncryptForMerchant)
// for wechatpay.Client.DecryptField.
package profitsharing
