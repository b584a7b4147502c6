package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"

	"github.com/payforge/wechatpay/wechatpay"
)

// Exit codes; see the package doc.
const (
	exitOK       = 0
	exitAPIError = 1
	exitUsage    = 2 // also a bad config and a request that breaks the spec
	exitFailure  = 3 // no usable answer
)

// configEnv names the config file when -config is not given.
const configEnv = "WECHATPAY_CONFIG"

// run is the whole program; it returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	ops := catalog()
	flags := flag.NewFlagSet("wechatpay", flag.ContinueOnError)
	flags.SetOutput(io.Discard) // writeUsage describes the flags
	configPath := flags.String("config", "", "")
	verbose := flags.Bool("v", false, "")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			writeUsage(stdout, ops)
			return exitOK
		}
		fmt.Fprintf(stderr, "wechatpay: %v\nRun 'wechatpay -h' for usage.\n", err)
		return exitUsage
	}
	if flags.NArg() == 0 {
		writeUsage(stderr, ops)
		return exitUsage
	}
	if flags.Arg(0) == "help" {
		return help(ops, flags.Args()[1:], stdout, stderr)
	}
	if flags.Arg(0) == certificatesName {
		return certificates(ctx, flags.Args()[1:], *configPath, *verbose, stdout, stderr, getenv)
	}

	op, err := lookup(ops, flags.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "wechatpay: %v\nRun 'wechatpay -h' for the list.\n", err)
		return exitUsage
	}
	usageErr := func(err error) int {
		fmt.Fprintf(stderr, "wechatpay: %s: %v\nRun 'wechatpay %s -h' for its parameters.\n", op.Name, err, op.Name)
		return exitUsage
	}
	inv, err := parseArgs(op, flags.Args()[1:])
	if errors.Is(err, errHelp) {
		writeOperationHelp(stdout, op)
		return exitOK
	}
	if err != nil {
		return usageErr(err)
	}
	body, err := readBody(inv, stdin)
	if err != nil {
		return usageErr(err)
	}

	path := *configPath
	if path == "" {
		path = getenv(configEnv)
	}
	if path == "" {
		fmt.Fprintf(stderr, "wechatpay: no config file: give -config FILE or set %s\n", configEnv)
		return exitUsage
	}
	cfg, err := wechatpay.LoadConfig(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	hc, closeIdle := httpClient(cfg.HTTPClient)
	defer closeIdle()
	if *verbose {
		log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		cfg.Logger = log
		hc.Transport = &loggingTransport{next: hc.Transport, log: log}
	}
	cfg.HTTPClient = hc
	rt, err := wechatpay.NewClient(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "wechatpay: config %s:\n%s\n", path, indent(err.Error()))
		return exitUsage
	}

	result, err := op.Call(ctx, rt, inv.params, body)
	if err != nil {
		return report(stderr, op, err)
	}
	if result == nil { // the answer has no body
		return exitOK
	}
	out, err := json.MarshalIndent(result, "", "  ")
	if err != nil {
		fmt.Fprintf(stderr, "wechatpay: %s: encode the answer: %v\n", op.Name, err)
		return exitFailure
	}
	if _, err := stdout.Write(append(out, '\n')); err != nil {
		fmt.Fprintf(stderr, "wechatpay: %s: write the answer: %v\n", op.Name, err)
		return exitFailure
	}
	return exitOK
}

// lookup finds an operation by its command-line name; for another name it
// says which names come nearest.
func lookup(ops []wechatpay.Operation, name string) (*wechatpay.Operation, error) {
	for i := range ops {
		if ops[i].Name == name {
			return &ops[i], nil
		}
	}
	switch near := suggest(ops, name); len(near) {
	case 0:
		return nil, fmt.Errorf("unknown operation %q", name)
	case 1:
		return nil, fmt.Errorf("unknown operation %q; did you mean %s?", name, near[0])
	default:
		return nil, fmt.Errorf("unknown operation %q; did you mean one of %s?", name, strings.Join(near, ", "))
	}
}

// help is "wechatpay help [OPERATION]": the -h of the command, or of the
// operation.
func help(ops []wechatpay.Operation, args []string, stdout, stderr io.Writer) int {
	switch len(args) {
	case 0:
		writeUsage(stdout, ops)
		return exitOK
	case 1:
		op, err := lookup(ops, args[0])
		if err != nil {
			fmt.Fprintf(stderr, "wechatpay: %v\nRun 'wechatpay help' for the list.\n", err)
			return exitUsage
		}
		writeOperationHelp(stdout, op)
		return exitOK
	}
	fmt.Fprintf(stderr, "wechatpay: help takes one operation at most, not %d arguments\n", len(args))
	return exitUsage
}

// readBody returns the bytes -d names: inline JSON, @FILE or @- for stdin;
// nil without -d.
func readBody(inv invocation, stdin io.Reader) ([]byte, error) {
	if !inv.hasBody {
		return nil, nil
	}
	name, ok := strings.CutPrefix(inv.body, "@")
	switch {
	case !ok:
		return []byte(inv.body), nil
	case name == "-":
		b, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("-d @-: read stdin: %w", err)
		}
		return b, nil
	default:
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("-d: %w", err)
		}
		return b, nil
	}
}

// httpClient returns a copy of hc (or a client with the runtime's default
// timeout) whose transport the caller may wrap, and a function that closes
// the idle connections of a transport made here.
func httpClient(hc *http.Client) (*http.Client, func()) {
	c := &http.Client{Timeout: wechatpay.DefaultTimeout}
	if hc != nil {
		*c = *hc
	}
	if c.Transport != nil {
		return c, func() {}
	}
	var t *http.Transport
	if def, ok := http.DefaultTransport.(*http.Transport); ok {
		t = def.Clone()
	} else {
		t = &http.Transport{Proxy: http.ProxyFromEnvironment}
	}
	c.Transport = t
	return c, t.CloseIdleConnections
}

// indent prefixes every line of s with two spaces.
func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
