package wechatpay

import "context"

// Operation describes one operation of a generated package for tools that
// list and dispatch operations without knowing their types, such as the
// command wechatpay: every generated package fills a table of them, its
// Operations variable, and a tool's catalog is the concatenation of such
// tables.
type Operation struct {
	// ID is the spec's operationId, such as "terminateByCode", or for an
	// operation without one the name the generator derives from its method
	// and path, such as "getV3BilldownloadFile".
	ID string
	// Name is the operation's name on a command line: ID in kebab case,
	// such as "terminate-by-code".
	Name string
	// Spec names the spec the operation comes from: its file name without
	// the extension, such as "password-exempt-contract".
	Spec string
	// Method is the HTTP method, such as "POST".
	Method string
	// PathTemplate is the spec's path template.
	PathTemplate string
	// Summary is the spec's one-line summary.
	Summary string
	// Params are the path, query and header parameters, in the order the
	// request declares them. The values of an array parameter are given as
	// one text, separated by commas (or by the delimiter its style names).
	Params []Field
	// HasBody reports whether the operation sends a JSON body.
	HasBody bool
	// Body are the fields of the JSON body, in the spec's order; a field of
	// a nested object follows it, named by its path (payer.openid, and
	// detail[].name for the objects of an array). A body that is not an
	// object with properties (an array, say) is one field named "body",
	// followed by what its objects hold ([].name).
	Body []Field
	// Call fills the operation's request from params (by the spec's names,
	// values as text) and body (the JSON body), then calls the typed method
	// of the generated package through c. A value that is not of its
	// parameter's type, or a body that does not decode into the request
	// (unknown fields included) or holds anything after its JSON value, is
	// a *ValidationError, and so is a request
	// that breaks the spec; nothing is sent then. The result is a pointer to
	// the typed response, or nil for an operation whose answer has no body.
	Call func(ctx context.Context, c *Client, params map[string]string, body []byte) (any, error)
}

// Field describes a parameter or a body field of an Operation, for a tool's
// help.
type Field struct {
	// Name is the spec's name of the parameter or property; for a field of
	// a nested object, its path (see Operation.Body).
	Name string
	// In is "path", "query", "header" or "body".
	In string
	// Type is the spec's type: "string", "integer", "number", "boolean",
	// "date-time", "object", "JSON" (any value), or "array of" one of them.
	Type string
	// Required reports whether the spec requires the field (in its object,
	// for a nested field).
	Required bool
	// Rules are the spec's rules on the value as text, such as "at most 32
	// characters; pattern ^[0-9A-Za-z]{1,32}$"; empty when there is none.
	Rules string
	// Description is the spec's description.
	Description string
}
