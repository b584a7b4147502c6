// Package templates holds the prose of the code wechatpay-gen generates: the
// package documentation and the doc comments of the generated declarations.
// (The first line of every file is a constant of the generator's package
// header, which its writer also reads.) They are text/template files, embedded so that
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
