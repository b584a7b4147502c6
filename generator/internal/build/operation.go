package build

import (
	"cmp"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/payforge/wechatpay/generator/internal/model"
	"github.com/payforge/wechatpay/generator/internal/naming"
)

// paths builds every operation of the document, in the order the document
// lists them (see specOrder).
func (b *builder) paths(doc *openapi3.T) error {
	if doc.Paths == nil {
		return nil
	}
	type entry struct {
		path, method string
		item         *openapi3.PathItem
		op           *openapi3.Operation
	}
	var entries []entry
	keys := doc.Paths.Keys()
	slices.Sort(keys)
	for _, path := range keys {
		item := doc.Paths.Value(path)
		loc := "paths." + path
		if item == nil {
			continue
		}
		ops := item.Operations()
		var names []string
		for m := range ops {
			names = append(names, m)
		}
		slices.Sort(names)
		for _, m := range names {
			if !methodToken.MatchString(m) {
				return b.unsupported(item.Origin, loc+"."+strings.ToLower(m), "HTTP method %q", m)
			}
		}
		// The methods net/http names first, in their order, then others
		// (LINK, say) by name.
		slices.SortStableFunc(names, func(x, y string) int {
			ix, iy := slices.Index(methods, x), slices.Index(methods, y)
			switch {
			case ix >= 0 && iy >= 0:
				return ix - iy
			case ix >= 0:
				return -1
			case iy >= 0:
				return 1
			}
			return 0
		})
		for _, m := range names {
			entries = append(entries, entry{path, strings.ToUpper(m), item, ops[m]})
		}
	}
	slices.SortStableFunc(entries, func(x, y entry) int { return specOrder(x.op.Origin, y.op.Origin) })
	for _, e := range entries {
		if err := b.operation(e.path, e.method, e.item, e.op, "paths."+e.path+"."+strings.ToLower(e.method)); err != nil {
			return err
		}
	}
	return nil
}

// methodToken matches an HTTP method: a token of RFC 9110.
var methodToken = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

// specOrder compares two elements of the document by where their keys are:
// line, then column. An element whose position the loader did not record
// comes after those it did; the caller's order breaks ties, so callers sort
// stably from a deterministic order.
func specOrder(x, y *openapi3.Origin) int {
	xk, yk := originKey(x), originKey(y)
	switch {
	case xk == nil && yk == nil:
		return 0
	case xk == nil:
		return 1
	case yk == nil:
		return -1
	}
	if c := cmp.Compare(xk.Line, yk.Line); c != 0 {
		return c
	}
	return cmp.Compare(xk.Column, yk.Column)
}

func originKey(o *openapi3.Origin) *openapi3.Location {
	if o == nil || o.Key == nil || o.Key.Line == 0 {
		return nil
	}
	return o.Key
}

func (b *builder) operation(path, method string, item *openapi3.PathItem, o *openapi3.Operation, loc string) error {
	id, what := o.OperationID, "operationId"
	if id == "" {
		id, what = DerivedOperationID(method, path), "the name derived from the method and path"
	}
	if prev, ok := b.opIDs[id]; ok {
		return b.errorf(o.Origin, loc, "duplicate operationId %q, %s (also at %s)", id, what, prev)
	}
	b.opIDs[id] = loc
	goName, err := naming.Exported(id)
	if err != nil {
		return b.errorf(o.Origin, loc+".operationId", "bad operationId: %v", err)
	}
	if prev, ok := b.opNames[goName]; ok {
		return b.errorf(o.Origin, loc+".operationId", "names collide after conversion to Go: operationId %q (%s) and the one at %s both become %s", id, what, prev, goName)
	}
	b.opNames[goName] = loc
	if b.opts.OperationNames != nil {
		for _, name := range b.opts.OperationNames(goName) {
			if err := b.declare(name, "a declaration of operation "+id, loc, o.Origin); err != nil {
				return err
			}
		}
	}

	op := &model.Operation{
		ID:          id,
		GoName:      goName,
		Method:      method,
		Path:        path,
		Summary:     strings.TrimSpace(o.Summary),
		Description: strings.TrimSpace(o.Description),
		Deprecated:  o.Deprecated,
		Location:    loc,
	}
	if op.Summary == "" {
		op.Summary = strings.TrimSpace(item.Summary)
	}
	if op.Description == "" {
		op.Description = strings.TrimSpace(item.Description)
	}
	if o.ExternalDocs != nil {
		op.DocURL = o.ExternalDocs.URL
	}
	b.op, b.opExtensions = op, o.Extensions
	defer func() { b.op, b.opExtensions = nil, nil }()
	if raw, ok := o.Extensions[MainExtension]; ok {
		if main, isBool := raw.(bool); !isBool {
			return b.errorf(o.Origin, loc+"."+MainExtension, "%s must be true or false", MainExtension)
		} else if main {
			if b.pkg.Main != nil {
				return b.errorf(o.Origin, loc+"."+MainExtension, "%s is set on two operations (also at %s)", MainExtension, b.pkg.Main.Location)
			}
			b.pkg.Main = op
		}
	}

	req, err := b.newNamed(goName+"Request", model.RoleRequest, "the request type of operation "+id, loc, o.Origin)
	if err != nil {
		return err
	}
	req.Description = op.Summary
	req.Validated = true
	op.Request = req

	bill, err := b.billDownload(o, loc)
	if err != nil {
		return err
	}
	if bill != nil {
		// The URL of an earlier answer holds the path and the query: the
		// parameters are not fields of the request.
		op.Download = bill
		op.Segments = []model.Segment{{Literal: path}}
		if o.RequestBody != nil {
			return b.unsupported(o.Origin, loc, "a request body on the bill download (%s)", UnsignedResponseExtension)
		}
	} else if err := b.parameters(op, item, o, loc); err != nil {
		return err
	} else if err := b.segments(op, o.Origin, loc); err != nil {
		return err
	}
	if o.RequestBody != nil {
		if err := b.requestBody(op, o.RequestBody, loc+".requestBody"); err != nil {
			return err
		}
	}
	if err := checkFieldNames(b, req, loc); err != nil {
		return err
	}
	if err := b.responses(op, o, loc+".responses"); err != nil {
		return err
	}
	op.Echoes = echoes(op)
	if err := b.callbacks(op, o, loc); err != nil {
		return err
	}
	markValidated(req)
	b.pkg.Operations = append(b.pkg.Operations, op)
	return nil
}

// billDownload reads the extensions of the bill download: both
// x-wechatpay-unsigned-response and x-wechatpay-request-url, or neither.
func (b *builder) billDownload(o *openapi3.Operation, loc string) (*model.Download, error) {
	rawUnsigned, hasUnsigned := o.Extensions[UnsignedResponseExtension]
	rawURL, hasURL := o.Extensions[RequestURLExtension]
	if !hasUnsigned && !hasURL {
		return nil, nil
	}
	unsigned, ok := rawUnsigned.(bool)
	if hasUnsigned && !ok {
		return nil, b.errorf(o.Origin, loc+"."+UnsignedResponseExtension, "%s must be true or false", UnsignedResponseExtension)
	}
	field, ok := rawURL.(string)
	if hasURL && (!ok || field == "") {
		return nil, b.errorf(o.Origin, loc+"."+RequestURLExtension, "%s must name the answer field holding the URL", RequestURLExtension)
	}
	if !unsigned || field == "" {
		return nil, b.unsupported(o.Origin, loc, "%s without %s: the one unsigned answer the runtime takes is the bill file, from download_url, checked by its digest",
			map[bool]string{true: UnsignedResponseExtension, false: RequestURLExtension}[unsigned], map[bool]string{true: RequestURLExtension, false: UnsignedResponseExtension}[unsigned])
	}
	return &model.Download{Bill: true, URLField: field}, nil
}

// markValidated marks the named types a request can carry.
func markValidated(n *model.Named) {
	mark := func(s *model.Schema) {
		for ; s != nil; s = s.Elem {
			if s.Kind == model.KindNamed && !s.Named.Validated {
				s.Named.Validated = true
				markValidated(s.Named)
			}
		}
	}
	for _, f := range n.Fields {
		mark(f.Schema)
	}
	for _, v := range n.Variants {
		mark(v.Schema)
	}
}

// DerivedOperationID is the name of an operation the spec gives no
// operationId: the method in lower case, then the words of the path's
// literal segments, and "by" and the words of each parameter, in camel case,
// such as getV3BilldownloadFile for GET /v3/billdownload/file and
// getPetsByPetId for GET /pets/{pet_id} (Go name GetPetsByPetID); getRoot for GET /. The rule depends
// on nothing but the method and the path, so a name never changes unless
// they do. Two operations whose names collide are refused.
func DerivedOperationID(method, path string) string {
	words := []string{strings.ToLower(method)}
	for _, seg := range strings.Split(path, "/") {
		for seg != "" {
			open := strings.IndexByte(seg, '{')
			if open < 0 {
				words = append(words, naming.Words(seg)...)
				break
			}
			words = append(words, naming.Words(seg[:open])...)
			end := strings.IndexByte(seg[open:], '}')
			if end < 0 {
				words = append(words, naming.Words(seg[open:])...)
				break
			}
			words = append(append(words, "by"), naming.Words(seg[open+1:open+end])...)
			seg = seg[open+end+1:]
		}
	}
	if len(words) == 1 {
		words = append(words, "root")
	}
	var b strings.Builder
	b.WriteString(words[0])
	for _, w := range words[1:] {
		r, size := utf8.DecodeRuneInString(w)
		b.WriteString(strings.ToUpper(string(r)) + w[size:])
	}
	return b.String()
}
