// Package spec holds the hand-written OpenAPI 3 descriptions of WeChat Pay
// APIv3 product families, one YAML file per family, and the parts they share
// (common.yaml, notifications.yaml), which describe no operation and which
// the families refer to as sibling files ("common.yaml#/components/..."). The
// generator reads them from disk and makes a package of each family; FS
// embeds them all for programs that check requests against them at run time,
// such as the sandbox, which resolve the references inside FS.
package spec

import "embed"

// FS holds every *.yaml file of this folder.
//
//go:embed *.yaml
var FS embed.FS
