// Package spec holds the hand-written OpenAPI 3 descriptions of WeChat Pay
// APIv3 product families, one YAML file per family. The generator reads them
// from disk; FS embeds them for programs that check requests against them at
// run time, such as the sandbox.
package spec

import "embed"

// FS holds every *.yaml file of this folder.
//
//go:embed *.yaml
var FS embed.FS
