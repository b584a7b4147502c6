// Package templates holds the prose of the code wechatpay-gen generates: the
// header of every file, the package documentation and the doc comments of
// the generated declarations. They are text/template files, embedded so that
// the generator needs nothing but its binary.
//
// Each file defines named templates; the generator executes them with its
// model and turns the text into comments. The Go code itself is never built
// from these templates.
package templates

import "embed"

// FS holds the template files.
//
//go:embed *.tmpl
var FS embed.FS
