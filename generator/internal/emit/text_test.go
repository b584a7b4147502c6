package emit

import (
	"slices"
	"strings"
	"testing"
)

func TestCommentLines(t *testing.T) {
	long := "Sent in the URL path as {out_contract_code}. Required. At most 32 characters. Must match the pattern ^[0-9A-Za-z]{1,32}$."
	for _, tt := range []struct {
		name, text string
		want       []string
	}{
		{"short lines keep their breaks", "One line.\nAnother line.", []string{"One line.", "Another line."}},
		{"a long line is filled", long, []string{
			"Sent in the URL path as {out_contract_code}. Required. At most 32 characters.",
			"Must match the pattern ^[0-9A-Za-z]{1,32}$."}},
		{"a paragraph with a long line is filled again", "Short start\n" + long, []string{
			"Short start Sent in the URL path as {out_contract_code}. Required. At most 32",
			"characters. Must match the pattern ^[0-9A-Za-z]{1,32}$."}},
		{"code is never cut", "\t" + long, []string{"\t" + long}},
		{"a list item continues under its text", "  - 400: " + strings.Repeat("PARAM_ERROR, ", 8) + "END", []string{
			"  - 400: PARAM_ERROR, PARAM_ERROR, PARAM_ERROR, PARAM_ERROR, PARAM_ERROR,",
			"    PARAM_ERROR, PARAM_ERROR, PARAM_ERROR, END"}},
		{"a word longer than the width stays whole", "POST /" + strings.Repeat("a", 90) + " end", []string{"POST", "/" + strings.Repeat("a", 90), "end"}},
		{"no line starts with a list marker", strings.Repeat("x", 77) + " a - b", []string{strings.Repeat("x", 77) + " a -", "b"}},
		{"paragraphs stay apart", long + "\n\n" + long, []string{
			"Sent in the URL path as {out_contract_code}. Required. At most 32 characters.",
			"Must match the pattern ^[0-9A-Za-z]{1,32}$.",
			"",
			"Sent in the URL path as {out_contract_code}. Required. At most 32 characters.",
			"Must match the pattern ^[0-9A-Za-z]{1,32}$."}},
	} {
		if got := commentLines(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}
