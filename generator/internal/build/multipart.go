package build

import (
	"math"
	"mime"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/payforge/wechatpay/generator/internal/model"
)

// The parts of the multipart bodies WeChat Pay takes, as wechatpay.Upload
// sends them: a JSON part the signature covers, and the file.
const (
	metaPart = "meta"
	filePart = "file"
)

// multipart builds the request of a multipart/form-data body: a meta part,
// a JSON object signed in place of the body (the operation names it in
// x-wechatpay-signed-part), and a file part of format binary, which is
// what wechatpay.Client.Upload sends. Other multipart bodies are refused.
func (b *builder) multipart(op *model.Operation, body *openapi3.RequestBody, media *openapi3.MediaType, loc string) error {
	unsupported := func(format string, args ...any) error {
		return b.unsupported(body.Origin, loc, "multipart/form-data body "+format+"; the runtime's Upload sends a JSON meta part, signed, and a file part", args...)
	}
	if media == nil || media.Schema == nil || media.Schema.Value == nil {
		return unsupported("without a schema")
	}
	if len(op.QueryParams)+len(op.HeaderParams) > 0 {
		return unsupported("with query or header parameters")
	}
	signed, _ := b.opExtensions[SignedPartExtension].(string)
	if signed != metaPart {
		return unsupported("whose signed part (%s) is not %q", SignedPartExtension, metaPart)
	}
	sloc := loc + ".schema"
	v, isStruct, err := b.structSchema(media.Schema, sloc)
	if err != nil {
		return err
	}
	if !isStruct {
		return unsupported("that is not an object")
	}
	var metaRef, fileRef *openapi3.SchemaRef
	for _, p := range v.props {
		switch p.name {
		case metaPart:
			metaRef = p.ref
		case filePart:
			fileRef = p.ref
		default:
			return unsupported("with a part %q", p.name)
		}
	}
	if metaRef == nil || fileRef == nil || fileRef.Value == nil || fileRef.Value.Format != "binary" {
		return unsupported("without a meta part and a file part of format binary")
	}
	meta, err := b.schema(metaRef, sloc+".properties.meta", op.Request.GoName+"Meta", metaPart)
	if err != nil {
		return err
	}
	if !meta.IsStruct() {
		return unsupported("whose meta part is not an object")
	}
	if holdsEncrypted(meta) {
		return b.unsupported(metaRef.Value.Origin, sloc+".properties.meta", "%s in a multipart meta part; only the fields of a JSON body are encrypted", EncryptedExtension)
	}
	up := &model.Upload{}
	// The runtime writes {"filename", "sha256"} when the request has no
	// meta: when that is what the meta schema describes, Meta may be nil.
	names := map[string]*model.Field{}
	for _, f := range meta.Named.Fields {
		names[f.JSONName] = f
	}
	if len(names) == 2 && names["filename"] != nil && names["sha256"] != nil &&
		names["filename"].Schema.Kind == model.KindString && names["sha256"].Schema.Kind == model.KindString {
		up.MetaDefault = true
	}
	if f := names["filename"]; f != nil && f.Schema.Kind == model.KindString {
		up.FileNameRules = f
	}
	if m := fileRef.Value.MaxLength; m != nil && *m > 0 && *m <= math.MaxInt32 {
		up.MaxBytes = *m
	}
	if enc := media.Encoding[filePart]; enc != nil {
		for _, t := range strings.Split(enc.ContentType, ",") {
			mt, _, err := mime.ParseMediaType(strings.TrimSpace(t))
			if err != nil || strings.Contains(mt, "*") {
				up.Types = nil // any type, or one it cannot name
				break
			}
			up.Types = append(up.Types, mt)
		}
	}
	up.File = &model.Field{JSONName: filePart, GoName: "File", Schema: &model.Schema{Kind: model.KindReader}, Required: true, In: model.InPart,
		Description: propertyDescription(fileRef), Location: sloc + ".properties.file"}
	up.FileName = &model.Field{JSONName: "filename", GoName: "FileName", Schema: &model.Schema{Kind: model.KindString}, Required: true, In: model.InPart,
		Description: "FileName names the file in the file part's header" + map[bool]string{true: ", and in the meta part when Meta is nil.", false: "."}[up.MetaDefault],
		Location:    sloc + ".properties.file"}
	metaDoc := "Meta is the meta part, a JSON object the request signature covers in place of the body."
	if up.MetaDefault {
		metaDoc += ` Nil sends {"filename": FileName, "sha256": the file's SHA-256 in lower-case hex}, which the runtime computes.`
	}
	if d := propertyDescription(metaRef); d != "" {
		metaDoc = d + "\n\n" + metaDoc
	}
	up.Meta = &model.Field{JSONName: metaPart, GoName: "Meta", Schema: meta, Required: !up.MetaDefault, Pointer: up.MetaDefault, In: model.InPart,
		Description: metaDoc, Location: sloc + ".properties.meta"}
	op.Upload = up
	op.Request.Fields = append(op.Request.Fields, up.File, up.FileName, up.Meta)
	return nil
}
