// Package model is the generator's plain description of an API: operations,
// their parameters, bodies and answers, and the Go types that carry them.
//
// The builder fills it from an OpenAPI document and the emitter turns it into
// Go code; the model itself knows neither. Every slice is in the order the
// code is emitted in, so nothing downstream needs to sort.
package model

// Package is everything one generated package holds.
type Package struct {
	// Name is the Go package name, e.g. "passwordexemptcontract".
	Name string
	// ImportPath is the import path of the generated package, which its
	// external test package (the examples) imports.
	ImportPath string
	// SpecFile is the base name of the spec file, e.g.
	// "password-exempt-contract.yaml"; never a path.
	SpecFile string
	// Title, Version and Description come from the spec's info object.
	Title       string
	Version     string
	Description string
	// DocURL is the spec's externalDocs URL, if any.
	DocURL string
	// Operations are in the order the spec lists them: by the position of
	// their keys in the document; by path template, then method, when the
	// loader recorded no positions.
	Operations []*Operation
	// Main is the operation the package documentation and the package
	// Example show: the one marked x-wechatpay-main, else the first.
	Main *Operation
	// Shared are the named types made from the spec's components, used by
	// one operation or more, sorted by Go name.
	Shared []*Named
	// Patterns are the distinct regular expressions that validation uses,
	// in the order they were first met.
	Patterns []*Pattern
	// Callbacks are the notifications the operations' callbacks describe,
	// in the order the operations first name them.
	Callbacks []*Callback
}

// Callback is a notification WeChat Pay POSTs to an address a request gave
// (its notify_url): an OpenAPI callback whose operation lists the event
// types it carries (x-wechatpay-event-types) and names the schema its
// resource decrypts to (x-wechatpay-plaintext). The package declares a
// constant per event type and a function that decodes a verified
// notification into Plaintext.
type Callback struct {
	// Name is the callback's key under the operation's callbacks, such as
	// TransactionSuccess.
	Name string
	// GoName is the decoding function's name, such as
	// DecodeTransactionSuccess.
	GoName string
	// Summary, Description and DocURL come from the callback operation.
	Summary     string
	Description string
	DocURL      string
	// Location is where the callback operation is in the spec.
	Location string
	// Events are the event types the callback carries, in the spec's order.
	Events []*Event
	// Plaintext is the struct the decrypted resource decodes into.
	Plaintext *Named
	// Operations are the operations whose callbacks name it, in the order
	// of Package.Operations.
	Operations []*Operation
}

// Event is one event type of a callback (event_type of the notification).
type Event struct {
	// GoName is the constant's name, such as EventTransactionSuccess.
	GoName string
	// Value is the event type, such as TRANSACTION.SUCCESS.
	Value string
}

// Operation is one operation of the spec.
type Operation struct {
	// ID is the spec's operationId, e.g. "terminateByCode".
	ID string
	// GoName is the Go name of the operation, e.g. "TerminateByCode".
	GoName string
	// Method is the HTTP method in upper case, e.g. "POST".
	Method string
	// Path is the spec's path template.
	Path string
	// Segments is Path cut into literal text and parameters, in order.
	Segments []Segment
	// Summary, Description and DocURL come from the spec.
	Summary     string
	Description string
	DocURL      string
	Deprecated  bool
	// Location is where the operation is in the spec, e.g. "paths./x.post".
	Location string

	// Request is the struct the caller fills: path parameters, query
	// parameters, header parameters and body properties, in that order. It
	// is never nil.
	Request *Named
	// PathParams, QueryParams and HeaderParams (with the cookie
	// parameters) point into Request's fields.
	PathParams   []*Field
	QueryParams  []*Field
	HeaderParams []*Field
	// HasBody reports whether the operation sends a JSON body: Request's
	// body fields, or the value of Body.
	HasBody bool
	// Body is the field of Request that holds the whole JSON body, when the
	// body's properties are not fields of Request themselves: a body that
	// is not an object with properties (an array, a map, a oneOf, any
	// JSON), or whose properties would collide with a parameter's field.
	Body *Field

	// Response is the struct a 2xx answer decodes into, or nil when the
	// success answer has no body or is not an object (see Answer).
	Response *Named
	// Answer is the type a 2xx answer decodes into when it is not an
	// object with properties: an array, a map, a string, any JSON. The
	// method returns it as a value. Nil when Response is set or the answer
	// has no body.
	Answer *Schema
	// ErrorStatuses are the 2xx statuses the spec documents as errors
	// (x-wechatpay-error-codes on a 2xx response, such as 202 USER_PAYING):
	// an answer with one of them is returned as a *wechatpay.APIError.
	ErrorStatuses []string
	// BodyType is the media type a body that is not JSON is sent with
	// (Body holds its bytes); empty for a JSON body.
	BodyType string
	// FormFields are the request's fields of an
	// application/x-www-form-urlencoded body, encoded as a query string is.
	FormFields []*Field
	// Download is set for an operation whose answer is not JSON (a file,
	// text): the method writes it to an io.Writer.
	Download *Download
	// Upload is set for an operation whose body is multipart/form-data.
	Upload *Upload
	// MayBeEmpty reports that the spec documents a 2xx answer without a
	// body besides the one with the body Response or Answer describe: the
	// method then returns a nil Response (or a zero Answer) for it.
	MayBeEmpty bool
	// Responses are the spec's responses, sorted by status.
	Responses []*Response
	// Echoes are the fields of the answer that must equal what the request
	// sent, in the order of Response's fields.
	Echoes []*Echo
	// Callbacks are the notifications the operation's callbacks describe
	// (see Callback), in the order of their names.
	Callbacks []*Callback

	// Owned are the named types made for this operation only: Request,
	// Response unless it is shared, and the inline objects and enums of
	// its parameters, body and answer, in the order the builder met them
	// (Request first). The emitter writes Request and Response first.
	Owned []*Named
}

// Download is how an operation's answer that is not JSON is fetched.
type Download struct {
	// MediaType is the answer's media type, as the spec writes it.
	MediaType string
	// Bill reports the bill file download (x-wechatpay-unsigned-response
	// with x-wechatpay-request-url): the one answer WeChat Pay does not
	// sign, fetched from the URL of an earlier answer and checked by its
	// digest, through wechatpay.Client.DownloadBill. The request is a
	// wechatpay.BillDownload.
	Bill bool
	// URLField is the field of the earlier answer that holds the URL, as
	// x-wechatpay-request-url names it (download_url).
	URLField string
}

// Upload is a multipart/form-data body: a JSON part signed in place of the
// body (x-wechatpay-signed-part) and a file part, which
// wechatpay.Client.Upload sends.
type Upload struct {
	// File, FileName and Meta are the request's fields for the parts.
	File, FileName, Meta *Field
	// MetaDefault reports that Meta may be nil: the meta part is then the
	// runtime's {"filename", "sha256"}, which the meta schema describes.
	MetaDefault bool
	// FileNameRules is the meta's filename field, whose rules FileName
	// must pass when the runtime writes the meta; nil when there is none.
	FileNameRules *Field
	// MaxBytes is the file's maxLength, or 0 for the runtime's default.
	MaxBytes uint64
	// Types are the media types the file part may have (its encoding's
	// contentType), or none for any.
	Types []string
}

// Segment is a piece of a path template: literal text, or a parameter.
type Segment struct {
	Literal string
	Param   *Field
}

// Echo is a field of an operation's answer that echoes the request: a
// required top-level property of the answer, a string, enum or integer,
// with the name of a top-level field of the request of the same Go type
// (a path, query or body field, not a pointer); or mchid, when the request
// has no such field, which echoes the client's merchant ID. A property
// marked x-wechatpay-echo: false is never one, nor one marked readOnly or
// writeOnly in the answer (WeChat Pay sets the one, never answers the
// other), nor one whose request field is readOnly (the request does not
// send it).
type Echo struct {
	// Answer is the field of the response.
	Answer *Field
	// Request is the request's field of the same name, or nil for mchid
	// echoing the client's merchant ID; or, with Variants, the request's
	// field holding a union as its whole body.
	Request *Field
	// Variants, for a body that is a union, are the field of the same name
	// of each of its variants, in the union's order: every variant
	// requires one, of the same Go type as Answer, and the echo compares
	// the answer with the one of the variant set.
	Variants []*Field
}

// Response is one documented answer of an operation.
type Response struct {
	// Status is the status code as the spec writes it: "200", "4XX",
	// "default".
	Status      string
	Description string
	// ErrorCodes are the WeChat Pay error codes documented for this status
	// (the x-wechatpay-error-codes extension), in the spec's order.
	ErrorCodes []string
}

// Named is a Go type the generated package declares.
type Named struct {
	// GoName is the type's name.
	GoName string
	// Description is the spec's description of the schema.
	Description string
	// Location is where the schema is in the spec.
	Location string
	// Role says what the type is for.
	Role Role
	// Op is the operation a type made for one operation belongs to (see
	// Operation.Owned); nil for a shared type.
	Op *Operation
	// Fields are the fields of a struct, in emitted order: for a request,
	// the path parameters in the order of the path template, the query
	// parameters as listed, then the body's properties; for other structs,
	// the properties in the order the spec lists them.
	Fields []*Field
	// AnyOf are the rules of a struct that at least one of several sets of
	// its fields is present, in the spec's order.
	AnyOf []*AnyOf
	// Answers are the operations whose 2xx answer a struct shared between
	// operations is the body of, in the order of Package.Operations.
	Answers []*Operation
	// Enum holds the known values of an enum type.
	Enum []*EnumValue
	// Alias is the type of a RoleAlias.
	Alias *Schema
	// Variants are the schemas of a union, in the spec's order.
	Variants []*Variant
	// Discriminator is the property whose value tells the variant of a
	// union apart, or "" for a union without one.
	Discriminator string
	// OneOf reports that a union is a oneOf (exactly one variant); else it
	// is an anyOf (at least one).
	OneOf bool
	// EnumKind is the Go kind of an enum's values: KindString, or
	// KindInt32, KindInt64 or KindFloat64 for an enum on numbers.
	EnumKind Kind
	// Open reports whether an enum's list of values is incomplete
	// (x-wechatpay-known-values): any value is valid, known or not.
	Open bool
	// Validated reports whether a request can carry the type, so that it
	// needs validation code.
	Validated bool
}

// Role tells what a named type is for.
type Role int

const (
	// RoleStruct is an object nested in a request or an answer.
	RoleStruct Role = iota
	// RoleRequest is the request struct of an operation.
	RoleRequest
	// RoleResponse is the struct a 2xx answer decodes into.
	RoleResponse
	// RoleEnum is a string or number type with known values.
	RoleEnum
	// RoleAlias is a component schema that is not an object or an enum
	// (an integer, an array), in the package of a spec without
	// operations, which holds the types of its components: a Go type of
	// its own, of Alias.
	RoleAlias
	// RoleUnion is a oneOf or an anyOf of schemas: with a discriminator, a
	// struct with one pointer per variant, the one set being the value;
	// without, the JSON as answered, read with an As method per variant.
	RoleUnion
)

// Variant is one schema of a union.
type Variant struct {
	// GoName names the variant: the field of a discriminated union, and
	// the As and Set methods of the other kind (AsCat, SetCat).
	GoName string
	// Schema is the variant's type; a struct in a discriminated union.
	Schema *Schema
	// Values are the discriminator's values that select the variant, in
	// the spec's order (discriminated unions only).
	Values []string
	// Tag is the variant struct's field holding the discriminator, if it
	// has one.
	Tag *Field
}

// AnyOf is an anyOf whose branches only list required properties: at least
// one branch must have all of its fields present.
type AnyOf struct {
	// Branches are the sets of fields, in the spec's order; each holds at
	// least one field that is not required.
	Branches [][]*Field
	// Location is where the anyOf is in the spec.
	Location string
}

// IsStruct reports whether the type is declared as a struct with the
// spec's properties as fields (a union is a struct of another kind).
func (n *Named) IsStruct() bool {
	return n.Role != RoleEnum && n.Role != RoleUnion && n.Role != RoleAlias
}

// EnumValue is one known value of an enum.
type EnumValue struct {
	GoName string
	// Value is the value: the string, or the number as Go writes it.
	Value string
}

// In tells where a request field travels.
type In int

const (
	// InBody is a property of the JSON body (or of a nested object).
	InBody In = iota
	// InPath is a path parameter.
	InPath
	// InQuery is a query parameter.
	InQuery
	// InHeader is a header parameter.
	InHeader
	// InCookie is a cookie parameter, sent in the Cookie header; it is
	// listed with the header parameters.
	InCookie
	// InBodyValue is the field holding the whole JSON body (see
	// Operation.Body).
	InBodyValue
	// InPart is a field of a multipart body's parts (see Upload).
	InPart
	// InForm is a field of an application/x-www-form-urlencoded body.
	InForm
)

// Field is a field of a struct.
type Field struct {
	// JSONName is the spec's name of the property or parameter.
	JSONName string
	// GoName is the field's Go name.
	GoName string
	// Schema is the field's type and constraints.
	Schema *Schema
	// Required reports whether the spec requires the field.
	Required bool
	// Pointer reports whether the field is a pointer, so that an optional
	// number, boolean or object can be told apart from its zero value. Other
	// optional fields are plain values omitted from JSON when zero.
	Pointer bool
	// In tells where the field travels.
	In In
	// Description is the spec's description.
	Description string
	// Location is where the property or parameter is in the spec.
	Location string
	// Example is the spec's example value, if any (a string, a number
	// or a bool as the YAML gave it); the generated examples use it.
	Example any
	// NoEcho reports that the spec marks the property x-wechatpay-echo:
	// false: the answer does not echo the request's field of that name.
	NoEcho bool
	// Nullable reports that the spec allows null (nullable: true, or a
	// type list with "null"): a required field holding a number, a string,
	// a boolean or an object is a pointer, nil sending null, and an answer
	// may hold null for it.
	Nullable bool
	// ReadOnly reports a property WeChat Pay sets and a request must not
	// send (readOnly: true): Validate refuses a request that sets it, and
	// it is optional in requests; an answer must hold it when required.
	ReadOnly bool
	// WriteOnly reports a property a request sends and an answer does not
	// hold (writeOnly: true): an answer is not required to hold it.
	WriteOnly bool
	// Default is the spec's default value, as the YAML gave it: what
	// WeChat Pay does when the field is absent. It is documented, never
	// sent by the client.
	Default any
	// Delimiter joins the values of an array query or header parameter
	// into one value ("," for form or simple style without explode, " "
	// and "|" for spaceDelimited and pipeDelimited); empty for an exploded
	// one, sent as one query parameter per value. For a map (a query
	// parameter of type object): "" sends each member as a query
	// parameter of its name, "," joins names and values, "[]" is
	// deepObject, name[member]=value.
	Delimiter string
}

// Constraints are the rules the spec sets on a value.
type Constraints struct {
	MaxLength *uint64
	MinLength *uint64
	Pattern   *Pattern
	Minimum   *float64
	Maximum   *float64
	// ExclusiveMinimum and ExclusiveMaximum make Minimum and Maximum strict.
	ExclusiveMinimum bool
	ExclusiveMaximum bool
	MinItems         *uint64
	MaxItems         *uint64
	// UniqueItems requires the items of an array to differ.
	UniqueItems bool
	// MinProperties and MaxProperties bound the members of a map.
	MinProperties *uint64
	MaxProperties *uint64
}

// Kind is the shape of a Go type.
type Kind int

const (
	KindString Kind = iota
	KindInt32
	KindInt64
	// KindUint32 and KindUint64 are integers of format uint32 and uint64.
	KindUint32
	KindUint64
	KindFloat64
	KindBool
	// KindBytes is a string of format byte: []byte, Base64 in JSON.
	KindBytes
	// KindTime is a date-time: time.Time, RFC 3339 in JSON.
	KindTime
	// KindRaw is a value of no declared type: json.RawMessage.
	KindRaw
	// KindArray is a slice of Elem.
	KindArray
	// KindReader is the content of a file part: an io.Reader.
	KindReader
	// KindBinary is a body that is not JSON: []byte, sent as it is.
	KindBinary
	// KindMap is a map from the member names of an object to values of
	// Elem: an object of additionalProperties, or a free-form object
	// (json.RawMessage values).
	KindMap
	// KindNamed is Named: a struct or an enum.
	KindNamed
)

// Schema is a use of a type: its shape and the rules on its values. An
// open enum keeps the string constraints of its schema.
type Schema struct {
	Kind   Kind
	Named  *Named  // for KindNamed
	Elem   *Schema // for KindArray and KindMap
	Format string  // the spec's format, e.g. "int64", "date-time"
	// Encrypted marks a sensitive string (x-wechatpay-encrypted): a
	// request sends it encrypted, an answer holds it encrypted, the caller
	// only sees plaintext.
	Encrypted bool
	Constraints
}

// IsInteger reports whether the schema is an integer.
func (s *Schema) IsInteger() bool {
	switch s.Kind {
	case KindInt32, KindInt64, KindUint32, KindUint64:
		return true
	}
	return false
}

// IsUnion reports whether the schema is a named union.
func (s *Schema) IsUnion() bool { return s.Kind == KindNamed && s.Named.Role == RoleUnion }

// IsEnum reports whether the schema is a named enum.
func (s *Schema) IsEnum() bool { return s.Kind == KindNamed && s.Named.Role == RoleEnum }

// IsStruct reports whether the schema is a named struct.
func (s *Schema) IsStruct() bool { return s.Kind == KindNamed && s.Named.IsStruct() }

// IsNumber reports whether the schema is an integer or a float.
func (s *Schema) IsNumber() bool {
	return s.IsInteger() || s.Kind == KindFloat64
}

// IsNumberEnum reports whether the schema is a named enum on numbers.
func (s *Schema) IsNumberEnum() bool {
	return s.IsEnum() && s.Named.EnumKind != KindString
}

// Pattern is a regular expression a string must match, compiled once in a
// package-level variable.
type Pattern struct {
	// Var is the name of the variable, e.g. "outContractCodePattern".
	Var string
	// Expr is the expression as the spec writes it.
	Expr string
}
