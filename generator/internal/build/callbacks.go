package build

import (
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/payforge/wechatpay/generator/internal/load"
	"github.com/payforge/wechatpay/generator/internal/model"
	"github.com/payforge/wechatpay/generator/internal/naming"
)

// EventTypesExtension is the vendor extension on a callback operation that
// lists the event types (event_type) of the notifications it describes.
// With load.PlaintextExtension, which names the schema of the decrypted
// resource, it makes a typed notification (model.Callback).
const EventTypesExtension = "x-wechatpay-event-types"

// callbacks builds the notifications op's callbacks describe. A callback
// operation with neither extension is an OpenAPI callback of another kind:
// there is nothing to generate for it.
func (b *builder) callbacks(op *model.Operation, o *openapi3.Operation, loc string) error {
	for _, name := range slices.Sorted(maps.Keys(o.Callbacks)) {
		ref := o.Callbacks[name]
		if ref == nil || ref.Value == nil {
			continue
		}
		items := ref.Value.Map()
		for _, expr := range slices.Sorted(maps.Keys(items)) {
			ops := items[expr].Operations()
			for _, method := range slices.Sorted(maps.Keys(ops)) {
				c, err := b.callback(name, ops[method], loc+".callbacks."+name+"."+expr+"."+strings.ToLower(method))
				if err != nil {
					return err
				}
				if c == nil || slices.Contains(op.Callbacks, c) {
					continue
				}
				op.Callbacks = append(op.Callbacks, c)
				c.Operations = append(c.Operations, op)
			}
		}
	}
	return nil
}

// callback builds the notification one callback operation describes, once
// however many operations refer to it; nil when it has neither extension.
func (b *builder) callback(name string, o *openapi3.Operation, loc string) (*model.Callback, error) {
	if c, seen := b.callbackOf[o]; seen {
		return c, nil
	}
	rawEvents, hasEvents := o.Extensions[EventTypesExtension]
	rawPlaintext, hasPlaintext := o.Extensions[load.PlaintextExtension]
	switch {
	case !hasEvents && !hasPlaintext:
		b.callbackOf[o] = nil
		return nil, nil
	case !hasEvents || !hasPlaintext:
		return nil, b.errorf(o.Origin, loc, "a typed notification needs both %s and %s", EventTypesExtension, load.PlaintextExtension)
	}
	list, ok := rawEvents.([]any)
	if !ok || len(list) == 0 {
		return nil, b.errorf(o.Origin, loc+"."+EventTypesExtension, "%s must be a non-empty list of event types", EventTypesExtension)
	}
	plaintext, ok := rawPlaintext.(*openapi3.SchemaRef)
	if !ok {
		// The loader resolves the extension's $ref; a model built
		// from a document loaded otherwise has nothing to read.
		return nil, b.errorf(o.Origin, loc+"."+load.PlaintextExtension, "%s was not resolved to a schema", load.PlaintextExtension)
	}
	goName, err := naming.Exported(name)
	if err != nil {
		return nil, b.errorf(o.Origin, loc, "bad callback name: %v", err)
	}
	c := &model.Callback{
		Name:        name,
		GoName:      "Decode" + goName,
		Summary:     strings.TrimSpace(o.Summary),
		Description: strings.TrimSpace(o.Description),
		Location:    loc,
	}
	if o.ExternalDocs != nil {
		c.DocURL = o.ExternalDocs.URL
	}
	if err := b.declare(c.GoName, "the decoder of callback "+name, loc, o.Origin); err != nil {
		return nil, err
	}
	for _, v := range list {
		value, ok := v.(string)
		if !ok || value == "" {
			return nil, b.errorf(o.Origin, loc+"."+EventTypesExtension, "%s must be a list of non-empty strings", EventTypesExtension)
		}
		if prev, dup := b.events[value]; dup {
			return nil, b.errorf(o.Origin, loc+"."+EventTypesExtension, "event type %q is listed twice (also at %s): a notification must decode one way", value, prev)
		}
		b.events[value] = loc
		word, err := naming.Exported(value)
		if err != nil {
			return nil, b.errorf(o.Origin, loc+"."+EventTypesExtension, "bad event type: %v", err)
		}
		e := &model.Event{GoName: "Event" + word, Value: value}
		if err := b.declare(e.GoName, "event type "+value, loc, o.Origin); err != nil {
			return nil, err
		}
		c.Events = append(c.Events, e)
	}
	// The plaintext is a component of its file: a type of the package,
	// not of the operation being built.
	b.inComponent++
	s, err := b.schema(plaintext, loc+"."+load.PlaintextExtension, goName+"Plaintext", "")
	b.inComponent--
	if err != nil {
		return nil, err
	}
	if !s.IsStruct() {
		return nil, b.unsupported(o.Origin, loc+"."+load.PlaintextExtension, "%s names a schema of type %s; a notification's plaintext must be an object with properties", load.PlaintextExtension, kindName(s))
	}
	c.Plaintext = s.Named
	b.callbackOf[o] = c
	b.pkg.Callbacks = append(b.pkg.Callbacks, c)
	return c, nil
}
