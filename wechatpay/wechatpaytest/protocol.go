package wechatpaytest

import (
	_ "embed"

	"github.com/getkin/kin-openapi/openapi3"
)

// The protocol operations: the platform certificate download, the image
// upload and the bill application and download, which every merchant has
// whatever its product, and which the runtime calls with functions of its
// own (Client.DownloadCertificates, Client.UploadImage, Client.DownloadBill).
// The engine serves them itself, with the handlers below, routed and checked
// with protocol.yaml; a behaviour may serve one of them instead, and a spec
// of Options.Specs that describes one takes its place.
//
//go:embed protocol.yaml
var protocolYAML []byte

// protocolSpecName names protocol.yaml in errors.
const protocolSpecName = "wechatpaytest/protocol.yaml"

// The extensions of an operation the engine reads, in any spec.
const (
	// extSignedPart names the multipart part the request signature covers
	// instead of the body, such as an upload's "meta".
	extSignedPart = "x-wechatpay-signed-part"
	// extUnsignedResponse, true, says the success answer is not signed, as
	// WeChat Pay sends a bill file.
	extUnsignedResponse = "x-wechatpay-unsigned-response"
)

// protocolHandlers returns the engine's handlers of the protocol
// operations, by operationId.
func (s *Server) protocolHandlers() map[string]Handler {
	return map[string]Handler{
		"downloadCertificates": s.downloadCertificates,
		"uploadImage":          s.uploadImage,
		"applyTradeBill":       func(c *Call) (*Response, error) { return s.applyBill(tradeBill, c) },
		"applyFundFlowBill":    func(c *Call) (*Response, error) { return s.applyBill(fundFlowBill, c) },
		"downloadBill":         s.downloadBill,
	}
}

// extensionString returns the string value of an operation's extension, or
// "".
func extensionString(op *openapi3.Operation, name string) string {
	v, _ := op.Extensions[name].(string)
	return v
}

// extensionTrue reports whether an operation's extension is true.
func extensionTrue(op *openapi3.Operation, name string) bool {
	v, _ := op.Extensions[name].(bool)
	return v
}
