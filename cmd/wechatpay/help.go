package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/payforge/wechatpay/wechatpay"
)

const usageLine = "usage: wechatpay [-config FILE] [-v] OPERATION [--PARAM VALUE ...] [-d JSON|@FILE|@-]"

// writeUsage lists the flags and the operations, by spec.
func writeUsage(w io.Writer, ops []wechatpay.Operation) {
	fmt.Fprintln(w, usageLine)
	fmt.Fprintln(w, "       wechatpay help [OPERATION]")
	fmt.Fprintln(w, "       "+strings.TrimPrefix(certificatesUsage, "usage: "))
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "Flags:")
	fmt.Fprintf(tw, "  -config FILE\tconfig file (JSON, see wechatpay.ConfigFile); default $%s\n", configEnv)
	fmt.Fprintln(tw, "  -v\tlog the HTTP exchange on stderr, the request signature redacted")
	fmt.Fprintln(tw, "\nCommands:")
	fmt.Fprintf(tw, "  %s -out DIR\tdownload the platform certificates and write them as PEM files\n", certificatesName)
	family := ""
	for _, op := range ops {
		if op.Spec != family {
			family = op.Spec
			fmt.Fprintf(tw, "\nOperations (%s):\n", family)
		}
		fmt.Fprintf(tw, "  %s\t%s\n", op.Name, oneLine(op.Summary))
	}
	tw.Flush()
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'wechatpay OPERATION -h' (or 'wechatpay help OPERATION') for an operation's")
	fmt.Fprintln(w, "parameters and body fields.")
	fmt.Fprintln(w, "Exit status: 0 success, 1 API error, 2 usage or validation error (nothing sent),")
	fmt.Fprintln(w, "3 transport error or an answer that failed verification or decoding.")
}

// writeOperationHelp describes one operation from its descriptor: its
// parameters, then the fields of its body, each with its type, whether it is
// required and the spec's rules.
func writeOperationHelp(w io.Writer, op *wechatpay.Operation) {
	fmt.Fprintf(w, "usage: wechatpay [-config FILE] [-v] %s", op.Name)
	for _, p := range op.Params {
		arg := "--" + p.Name + " " + strings.ToUpper(p.Type)
		if !p.Required {
			arg = "[" + arg + "]"
		}
		fmt.Fprint(w, " "+arg)
	}
	if op.HasBody {
		fmt.Fprint(w, " -d JSON|@FILE|@-")
	}
	fmt.Fprintf(w, "\n\n%s\n\n", oneLine(op.Summary))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  operationId:\t%s\n", op.ID)
	fmt.Fprintf(tw, "  method:\t%s\n", op.Method)
	fmt.Fprintf(tw, "  path:\t%s\n", op.PathTemplate)
	if op.HasBody {
		fmt.Fprintf(tw, "  body:\tJSON, required (-d)\n")
	} else {
		fmt.Fprintf(tw, "  body:\tnone\n")
	}
	tw.Flush()
	if len(op.Params) == 0 {
		fmt.Fprintln(w, "\nParameters: none")
	} else {
		fmt.Fprintln(w, "\nParameters:")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  NAME\tIN\tTYPE\tREQUIRED\tRULES\tDESCRIPTION")
		for _, p := range op.Params {
			required := "no"
			if p.Required {
				required = "yes"
			}
			fmt.Fprintf(tw, "  --%s\t%s\t%s\t%s\t%s\t%s\n", p.Name, p.In, p.Type, required, orDash(p.Rules), oneLine(p.Description))
		}
		tw.Flush()
	}
	if !op.HasBody {
		return
	}
	fmt.Fprintln(w, "\nBody fields (-d JSON):")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  NAME\tTYPE\tREQUIRED\tRULES\tDESCRIPTION")
	for _, f := range op.Body {
		required := "optional"
		if f.Required {
			required = "required"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", f.Name, f.Type, required, orDash(f.Rules), oneLine(f.Description))
	}
	tw.Flush()
	fmt.Fprintln(w, "\nA field of a nested object is named by its path (a.b; a[].b for the objects of")
	fmt.Fprintln(w, "an array); it is required when its object is there.")
}

// oneLine joins the lines of a spec text with spaces, for a table cell.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
