package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/payforge/wechatpay/wechatpay"
)

// errHelp is parseArgs' answer to -h.
var errHelp = errors.New("help requested")

// invocation is what the arguments after OPERATION ask for.
type invocation struct {
	params  map[string]string // by the spec's names, values as given
	body    string            // the -d value: JSON, @FILE or @-
	hasBody bool              // whether -d was given
}

// parseArgs reads --NAME VALUE, --NAME=VALUE, -d VALUE and -h. Every
// parameter must be one of op's and appear at most once; required ones and,
// for an operation with a body, -d must be there.
func parseArgs(op *wechatpay.Operation, args []string) (invocation, error) {
	inv := invocation{params: make(map[string]string)}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		// value returns the flag's value: after "=", else the next argument.
		value := func(flagName, inline string, hasInline bool) (string, error) {
			if hasInline {
				return inline, nil
			}
			if i+1 >= len(args) {
				return "", fmt.Errorf("%s needs a value", flagName)
			}
			i++
			return args[i], nil
		}
		switch {
		case arg == "-h" || arg == "-help" || arg == "--help":
			return inv, errHelp
		case arg == "-d" || strings.HasPrefix(arg, "-d="):
			inline, hasInline := strings.CutPrefix(arg, "-d=")
			v, err := value("-d", inline, hasInline)
			if err != nil {
				return inv, fmt.Errorf("%w (JSON, @FILE or @- for stdin)", err)
			}
			if !op.HasBody {
				return inv, errors.New("-d: the operation takes no body")
			}
			if inv.hasBody {
				return inv, errors.New("-d given twice")
			}
			inv.body, inv.hasBody = v, true
		case strings.HasPrefix(arg, "--") && len(arg) > 2:
			name, inline, hasInline := strings.Cut(arg[2:], "=")
			if findParam(op, name) == nil {
				return inv, fmt.Errorf("unknown parameter --%s%s", name, paramList(op))
			}
			v, err := value("--"+name, inline, hasInline)
			if err != nil {
				return inv, err
			}
			if _, dup := inv.params[name]; dup {
				return inv, fmt.Errorf("parameter --%s given twice", name)
			}
			inv.params[name] = v
		case strings.HasPrefix(arg, "-"):
			return inv, fmt.Errorf("unknown flag %s (flags -config and -v go before the operation; parameters are --NAME VALUE)", arg)
		default:
			return inv, fmt.Errorf("unexpected argument %q (parameters are --NAME VALUE)", arg)
		}
	}
	var missing []string
	for _, p := range op.Params {
		if _, ok := inv.params[p.Name]; p.Required && !ok {
			missing = append(missing, "--"+p.Name)
		}
	}
	if len(missing) > 0 {
		return inv, fmt.Errorf("missing required parameter %s", strings.Join(missing, ", "))
	}
	if op.HasBody && !inv.hasBody {
		return inv, errors.New("missing the JSON body: -d JSON, -d @FILE or -d @- for stdin")
	}
	return inv, nil
}

// findParam returns the parameter of op with the spec's name, or nil.
func findParam(op *wechatpay.Operation, name string) *wechatpay.Field {
	for i := range op.Params {
		if op.Params[i].Name == name {
			return &op.Params[i]
		}
	}
	return nil
}

// paramList names op's parameters for an error message.
func paramList(op *wechatpay.Operation) string {
	if len(op.Params) == 0 {
		return "; the operation takes none"
	}
	names := make([]string, len(op.Params))
	for i, p := range op.Params {
		names[i] = "--" + p.Name
	}
	return "; it takes " + strings.Join(names, ", ")
}
