package wechatpaytest

import (
	"cmp"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
)

// The sandbox routes a request itself, on its path as sent: it splits the
// escaped path (r.URL.EscapedPath) at each "/" and matches the segments one
// by one against the spec's path templates, decoding each segment only
// after the split. A path value holding an escaped slash (%2F) therefore
// stays one segment and one value, as WeChat Pay reads it, and can never
// reach another operation. kin-openapi's routers match the decoded
// r.URL.Path, where that slash is a separator, so none of them is used.

// segment is one segment of a path template: a literal, or a parameter with
// an optional literal prefix and suffix, such as {name} or {name}.json.
type segment struct {
	literal        string
	param          string // empty for a literal segment
	prefix, suffix string
}

// route is one operation of a spec.
type route struct {
	segments []segment
	route    *routers.Route // what openapi3filter validates against
}

// parseTemplate splits a spec's path template into segments.
func parseTemplate(template string) ([]segment, error) {
	rest, ok := strings.CutPrefix(template, "/")
	if !ok {
		return nil, fmt.Errorf("path %q does not start with /", template)
	}
	var segs []segment
	for part := range strings.SplitSeq(rest, "/") {
		open := strings.IndexByte(part, '{')
		if open < 0 {
			if strings.IndexByte(part, '}') >= 0 {
				return nil, fmt.Errorf("path %q: segment %q has an unmatched }", template, part)
			}
			segs = append(segs, segment{literal: part})
			continue
		}
		end := strings.IndexByte(part, '}')
		if end < open+2 {
			return nil, fmt.Errorf("path %q: segment %q has no parameter name between braces", template, part)
		}
		suffix := part[end+1:]
		if strings.ContainsAny(suffix, "{}") || strings.ContainsAny(part[:open], "}") {
			return nil, fmt.Errorf("path %q: segment %q holds more than one parameter, which the sandbox cannot route", template, part)
		}
		segs = append(segs, segment{param: part[open+1 : end], prefix: part[:open], suffix: suffix})
	}
	return segs, nil
}

// match reports whether the escaped path's segments fit the template, and
// returns the decoded parameter values.
func match(segs []segment, escaped []string) (map[string]string, bool) {
	if len(segs) != len(escaped) {
		return nil, false
	}
	var params map[string]string
	for i, s := range segs {
		v, err := url.PathUnescape(escaped[i])
		if err != nil {
			return nil, false
		}
		if s.param == "" {
			if v != s.literal {
				return nil, false
			}
			continue
		}
		if len(v) < len(s.prefix)+len(s.suffix) || !strings.HasPrefix(v, s.prefix) || !strings.HasSuffix(v, s.suffix) {
			return nil, false
		}
		if params == nil {
			params = make(map[string]string)
		}
		params[s.param] = v[len(s.prefix) : len(v)-len(s.suffix)]
	}
	return params, true
}

// moreSpecific orders templates: by their number of segments (templates of
// different lengths never match one path), then, at the first segment where
// one has a literal and the other a parameter, the literal first, as
// OpenAPI matches concrete paths before templated ones. Comparing lengths
// first keeps the order consistent (a strict weak order) however the
// templates of several specs interleave.
func moreSpecific(a, b []segment) int {
	if c := cmp.Compare(len(a), len(b)); c != 0 {
		return c
	}
	for i := range a {
		switch la, lb := a[i].param == "", b[i].param == ""; {
		case la && !lb:
			return -1
		case lb && !la:
			return 1
		}
	}
	return 0
}

// router finds a request's operation among the routes of every spec served.
type router struct {
	routes []route // the most specific first
}

// add adds the operations of doc that keep accepts (all with a nil keep)
// and returns them.
func (rt *router) add(doc *openapi3.T, keep func(method, template string, op *openapi3.Operation) bool) ([]*routers.Route, error) {
	var added []*routers.Route
	paths := doc.Paths.Map()
	for _, template := range slices.Sorted(maps.Keys(paths)) {
		item := paths[template]
		segs, err := parseTemplate(template)
		if err != nil {
			return nil, err
		}
		ops := item.Operations()
		for _, method := range slices.Sorted(maps.Keys(ops)) {
			if keep != nil && !keep(method, template, ops[method]) {
				continue
			}
			r := &routers.Route{Spec: doc, Path: template, PathItem: item, Method: method, Operation: ops[method]}
			rt.routes = append(rt.routes, route{segments: segs, route: r})
			added = append(added, r)
		}
	}
	slices.SortStableFunc(rt.routes, func(a, b route) int { return moreSpecific(a.segments, b.segments) })
	return added, nil
}

// find returns the operation of the request's method and escaped path, and
// its decoded path parameters.
func (rt *router) find(r *http.Request) (*routers.Route, map[string]string, *Error) {
	escaped := r.URL.EscapedPath()
	rest, ok := strings.CutPrefix(escaped, "/")
	if !ok {
		return nil, nil, &Error{Status: http.StatusNotFound, Code: "INVALID_REQUEST", Message: "no operation at " + escaped}
	}
	segs := strings.Split(rest, "/")
	// The most specific template that fits the path decides; then the method.
	template, pathFound := "", false
	var params map[string]string
	for _, rr := range rt.routes {
		if p, ok := match(rr.segments, segs); ok {
			template, params, pathFound = rr.route.Path, p, true
			break
		}
	}
	for _, rr := range rt.routes {
		if pathFound && rr.route.Path == template && rr.route.Method == r.Method {
			return rr.route, params, nil
		}
	}
	message := "no operation at " + escaped
	if pathFound {
		message = "no " + r.Method + " operation at " + escaped
	}
	return nil, nil, &Error{Status: http.StatusNotFound, Code: "INVALID_REQUEST", Message: message}
}
