package wechatpaytest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/payforge/wechatpay/wechatpay"
)

// Defaults of Options.
const (
	DefaultAddr           = "127.0.0.1:0"
	DefaultMchID          = "1900000109"
	DefaultWechatpayKeyID = "PUB_KEY_ID_0114232134912410000000000000"
)

// maxRequestBody caps the request bodies the sandbox reads; maxUploadBody
// those of an operation that signs one part of a multipart body (an upload),
// which a handler then checks against its own limit, such as the image
// upload's 2M.
const (
	maxRequestBody = 1 << 20
	maxUploadBody  = 8 << 20
)

// Options configure a Server. The zero value is ready to use.
type Options struct {
	// Addr is the TCP address to listen on. Default DefaultAddr.
	Addr string
	// MchID is the merchant ID requests must carry. Default DefaultMchID.
	MchID string
	// MerchantKey is the merchant API private key; the sandbox verifies with
	// its public half. Default: a fresh RSA-2048 key.
	MerchantKey *rsa.PrivateKey
	// MerchantSerialNo is the merchant certificate serial requests must carry.
	// Default: 40 upper-case hex digits derived from MerchantKey, so a reused
	// key keeps its serial.
	MerchantSerialNo string
	// WechatpayKey signs the sandbox's answers (public-key mode).
	// Default: a fresh RSA-2048 key.
	WechatpayKey *rsa.PrivateKey
	// WechatpayKeyID names WechatpayKey: PUB_KEY_ID_ followed by digits.
	// Default DefaultWechatpayKeyID.
	WechatpayKeyID string
	// PlatformCertificates, when not empty, put the sandbox in platform
	// certificate mode: it serves them at GET /v3/certificates, signs with
	// them instead of WechatpayKey, and ClientConfig trusts them (see the
	// package doc). NewPlatformCertificate makes one;
	// Server.SetPlatformCertificates rotates them.
	PlatformCertificates []PlatformCertificate
	// Clock is the sandbox's time: for timestamps, the day's orders and
	// bills, and when a bill is ready. Default time.Now. A test that moves
	// time gives the Now of a Clock (NewClock) here and to its client.
	Clock func() time.Time
	// Logger receives one Info record per answer and one record per
	// notification delivered (Warn when it failed). Default: discard.
	Logger *slog.Logger

	// APIv3Key is the merchant's APIv3 key (32 bytes) notification resources
	// are encrypted with. Default: 32 random characters of [0-9A-Za-z];
	// Server.APIv3Key returns it.
	APIv3Key []byte
	// NoNotifications turns notifications off: Server.Notify sends nothing
	// and returns ErrNotificationsOff.
	NoNotifications bool
	// NotifyClient delivers notifications; redirects are not followed. A
	// test merchant served by httptest.NewTLSServer passes its Client(),
	// which trusts its certificate. Default: a client of its own with
	// DefaultNotifyTimeout and the system's roots.
	NotifyClient *http.Client

	// Specs are the OpenAPI 3 documents the sandbox serves; their
	// operationIds must be distinct. Default: the specs embedded in
	// github.com/payforge/wechatpay/spec.
	Specs []Spec
	// Behaviours serve operations of the specs with state, such as
	// contracts.New. An operation no behaviour serves is answered with its
	// spec's example (see the package doc).
	Behaviours []Behaviour
}

// Server is a running sandbox. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL of the sandbox, http://127.0.0.1:PORT.
	URL string

	mchID       string
	merchantKey *rsa.PrivateKey
	merchantSN  string
	wpKey       *rsa.PrivateKey
	wpKeyID     string
	clock       func() time.Time
	log         *slog.Logger
	api         *api
	handlers    map[string]Handler // by operationId: the behaviours', then examples

	apiV3Key     []byte
	billKey      []byte     // authenticates download_url tokens
	bills        BillSource // nil: DefaultBill
	noNotify     bool
	notifyOwned  *http.Transport // the transport of the default notifyClient, nil with Options.NotifyClient
	notifyClient *http.Client

	nonces nonceCache

	certificateMode bool // Options.PlatformCertificates was set
	certMu          sync.Mutex
	certs           []PlatformCertificate // listed now, guarded by certMu

	mu          sync.Mutex // guards faults, notifyFault and closed
	faults      map[string]*Fault
	notifyFault *Fault
	closed      bool // Close has begun: AfterFunc starts nothing
	httpSrv     *http.Server
	ctx         context.Context    // the server's life: requests in flight, AfterFunc work
	cancel      context.CancelFunc // ends ctx
	served      chan struct{}      // closed when Serve returns
	active      sync.WaitGroup     // handlers running, hijacked ones included, and AfterFunc work
	closing     sync.Once
	client      *http.Transport // the transport handed out by ClientConfig
}

// NewServer starts a sandbox as opts describe. Call Close when done.
func NewServer(opts Options) (*Server, error) {
	s := &Server{
		mchID:       opts.MchID,
		merchantKey: opts.MerchantKey,
		merchantSN:  opts.MerchantSerialNo,
		wpKey:       opts.WechatpayKey,
		wpKeyID:     opts.WechatpayKeyID,
		clock:       opts.Clock,
		log:         opts.Logger,
		noNotify:    opts.NoNotifications,
		faults:      make(map[string]*Fault),
		served:      make(chan struct{}),
	}
	if s.mchID == "" {
		s.mchID = DefaultMchID
	}
	if s.wpKeyID == "" {
		s.wpKeyID = DefaultWechatpayKeyID
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	var err error
	for _, k := range []**rsa.PrivateKey{&s.merchantKey, &s.wpKey} {
		if *k == nil {
			if *k, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
				return nil, fmt.Errorf("wechatpaytest: generate key: %w", err)
			}
		}
	}
	if s.merchantSN == "" {
		s.merchantSN = serialFromKey(&s.merchantKey.PublicKey)
	}
	if bits := s.merchantKey.N.BitLen(); bits < 2048 {
		return nil, fmt.Errorf("wechatpaytest: MerchantKey has %d bits, want at least 2048", bits)
	}
	// The runtime's rules for a key ID and key size apply to the sandbox too.
	if _, err := wechatpay.PublicKeyModeKey(s.wpKeyID, &s.wpKey.PublicKey); err != nil {
		return nil, fmt.Errorf("wechatpaytest: %w", err)
	}
	if len(opts.PlatformCertificates) > 0 {
		if err := checkCertificates(opts.PlatformCertificates); err != nil {
			return nil, fmt.Errorf("wechatpaytest: Options.PlatformCertificates: %w", err)
		}
		s.certificateMode = true
		s.certs = slices.Clone(opts.PlatformCertificates)
	}
	specs := opts.Specs
	if specs == nil {
		if specs, err = embeddedSpecs(); err != nil {
			return nil, err
		}
	}
	var fallbacks []Spec
	for _, b := range opts.Behaviours {
		if p, ok := b.(SpecProvider); ok {
			fallbacks = append(fallbacks, p.Specs()...)
		}
	}
	fallbacks = append(fallbacks, Spec{Name: protocolSpecName, Data: protocolYAML})
	if s.api, err = loadAPI(specs, fallbacks); err != nil {
		return nil, err
	}
	s.billKey = make([]byte, 32)
	_, _ = rand.Read(s.billKey) // never fails, see crypto/rand.Read
	switch {
	case opts.APIv3Key == nil:
		if s.apiV3Key, err = newAPIv3Key(); err != nil {
			return nil, err
		}
	case len(opts.APIv3Key) != wechatpay.APIv3KeySize:
		return nil, fmt.Errorf("wechatpaytest: APIv3Key has %d bytes, want %d", len(opts.APIv3Key), wechatpay.APIv3KeySize)
	default:
		s.apiV3Key = bytes.Clone(opts.APIv3Key)
	}
	if opts.NotifyClient != nil {
		c := *opts.NotifyClient
		s.notifyClient = &c
	} else {
		s.notifyOwned = &http.Transport{Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 4, IdleConnTimeout: 30 * time.Second}
		s.notifyClient = &http.Client{Transport: s.notifyOwned, Timeout: DefaultNotifyTimeout}
	}
	// A redirect would carry the notification somewhere the merchant did not name.
	s.notifyClient.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	addr := opts.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("wechatpaytest: %w", err)
	}
	s.URL = "http://" + urlHost(ln.Addr().(*net.TCPAddr))
	// Behaviours attach once the URL is known and before any request is served.
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if err := s.attach(opts.Behaviours); err != nil {
		s.cancel()
		s.active.Wait() // AfterFunc work a behaviour started
		_ = ln.Close()
		return nil, err
	}

	s.httpSrv = &http.Server{
		Handler:           http.HandlerFunc(s.serveHTTP),
		BaseContext:       func(net.Listener) context.Context { return s.ctx },
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.client = &http.Transport{MaxIdleConnsPerHost: 8, IdleConnTimeout: 30 * time.Second}
	go func() {
		defer close(s.served)
		_ = s.httpSrv.Serve(ln) // returns http.ErrServerClosed after Close
	}()
	return s, nil
}

// attach collects the behaviours' handlers, then the engine's own of the
// protocol operations none of them serves, then builds the example answer of
// every other operation.
func (s *Server) attach(behaviours []Behaviour) error {
	s.handlers = make(map[string]Handler, len(s.api.routes))
	owner := make(map[string]int)
	for i, b := range behaviours {
		if b == nil {
			return fmt.Errorf("wechatpaytest: Options.Behaviours[%d] is nil", i)
		}
		hs, err := b.Attach(s)
		if err != nil {
			return fmt.Errorf("wechatpaytest: attach %T: %w", b, err)
		}
		for _, id := range slices.Sorted(maps.Keys(hs)) {
			switch j, taken := owner[id]; {
			case s.api.routes[id] == nil:
				return fmt.Errorf("wechatpaytest: attach %T: no operation %q in the specs served", b, id)
			case taken:
				return fmt.Errorf("wechatpaytest: attach %T: operation %s is served by Options.Behaviours[%d] already", b, id, j)
			case hs[id] == nil:
				return fmt.Errorf("wechatpaytest: attach %T: operation %s has a nil handler", b, id)
			}
			owner[id] = i
			s.handlers[id] = hs[id]
		}
		if src, ok := b.(BillSource); ok {
			if s.bills != nil {
				return fmt.Errorf("wechatpaytest: attach %T: a second BillSource; one behaviour supplies the bills", b)
			}
			s.bills = src
		}
	}
	for id, h := range s.protocolHandlers() {
		if s.api.routes[id] != nil && s.handlers[id] == nil {
			s.handlers[id] = h
		}
	}
	for _, id := range slices.Sorted(maps.Keys(s.api.routes)) {
		if s.handlers[id] != nil {
			continue
		}
		h, err := exampleHandler(s.api.routes[id], s.mchID)
		if err != nil {
			return fmt.Errorf("wechatpaytest: spec %s: operation %s: no behaviour serves it and %w", s.api.specOf[id], id, err)
		}
		s.handlers[id] = h
	}
	return nil
}

// urlHost writes a listening address as a URL host, naming loopback when the
// server listens on every interface.
func urlHost(a *net.TCPAddr) string {
	ip := a.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), fmt.Sprint(a.Port))
}

// serialFromKey returns the merchant serial the sandbox uses for a key when
// none is given: the first 20 bytes of the SHA-256 of its PKIX encoding, in
// upper-case hex, shaped like a certificate serial.
func serialFromKey(pub *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(der)
	return strings.ToUpper(hex.EncodeToString(sum[:20]))
}

// Close stops the server: requests in flight and AfterFunc work see their
// context end, and Close returns once every handler, delivery, AfterFunc and
// connection is done.
func (s *Server) Close() {
	s.closing.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		s.cancel()
		// A connection the client opened but never sent on (a call given
		// up while dialing) counts as active to Shutdown for 5 s; close
		// the client's idle ones first so Close does not wait that out.
		s.client.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.httpSrv.Shutdown(ctx); err != nil {
			_ = s.httpSrv.Close()
		}
		<-s.served
		s.active.Wait()
		s.client.CloseIdleConnections()
		if s.notifyOwned != nil {
			s.notifyOwned.CloseIdleConnections()
		}
	})
}

// MchID returns the sandbox's merchant ID, which requests must carry and
// answers echo.
func (s *Server) MchID() string { return s.mchID }

// Now returns the sandbox clock's time (Options.Clock).
func (s *Server) Now() time.Time { return s.clock() }

// AfterFunc runs f in its own goroutine after d, as a user or WeChat Pay
// acting later would, unless the server closes first. ctx ends when Close
// begins, and Close waits for f to return. After Close, AfterFunc does
// nothing.
func (s *Server) AfterFunc(d time.Duration, f func(ctx context.Context)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.active.Add(1) // before Close can reach active.Wait, which needs s.mu first
	go func() {
		defer s.active.Done()
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			f(s.ctx)
		case <-s.ctx.Done():
		}
	}()
}

// ClientConfig returns a runtime config for the sandbox: its merchant, keys,
// URL and clock, and an HTTP client whose idle connections Close ends. In
// certificate mode its VerificationKeys are the platform certificates listed
// now and not expired, valid from their effective_time to their
// expire_time, as a download gives them, and WechatpaySerial is empty, so
// that the runtime chooses the certificate to encrypt with at each call.
func (s *Server) ClientConfig() wechatpay.Config {
	cfg := wechatpay.Config{
		MchID:            s.mchID,
		MerchantSerialNo: s.merchantSN,
		MerchantKey:      s.merchantKey,
		VerificationKeys: []wechatpay.VerificationKey{{Serial: s.wpKeyID, PublicKey: &s.wpKey.PublicKey}},
		WechatpaySerial:  s.wpKeyID,
		BaseURL:          s.URL,
		HTTPClient:       &http.Client{Transport: s.client, Timeout: wechatpay.DefaultTimeout},
		Clock:            s.clock,
	}
	if s.certMode() {
		cfg.VerificationKeys, cfg.WechatpaySerial = s.certificateKeys(), ""
	}
	return cfg
}

// serveHTTP runs the checks of the package doc in order, then the operation.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.active.Add(1)
	defer s.active.Done()
	x := &exchange{srv: s, w: w, r: r, requestID: newRequestID()}
	w.Header()["Request-ID"] = []string{x.requestID} // WeChat Pay's spelling

	// The route is looked up first, for the body's size limit and signed
	// part, and refused only after authentication (step 4).
	route, params, routeErr := s.api.router.find(r)
	limit, signedPart := int64(maxRequestBody), ""
	if route != nil {
		if signedPart = extensionString(route.Operation, extSignedPart); signedPart != "" {
			limit = maxUploadBody
		}
	}
	body, e := readBody(w, r, limit)
	if e != nil {
		x.fail(e)
		return
	}
	signed := body
	if signedPart != "" {
		if signed, e = signedPartOf(r.Header.Get("Content-Type"), body, signedPart); e != nil {
			x.fail(e)
			return
		}
	}
	if e := s.authenticate(r, signed); e != nil {
		x.fail(e)
		return
	}
	if e := s.checkWechatpaySerial(r); e != nil {
		x.fail(e)
		return
	}
	if routeErr != nil {
		x.fail(routeErr)
		return
	}
	x.operation = route.Operation.OperationID
	x.unsigned = extensionTrue(route.Operation, extUnsignedResponse)
	if e := s.api.validate(r, route, params, body); e != nil {
		x.fail(e)
		return
	}
	handler := s.handlers[x.operation]

	f := s.takeFault(x.operation)
	if f != nil && !f.Kind.runsOperation() {
		x.injectBefore(f)
		return
	}
	if f != nil && f.Kind == FaultDelay && !x.wait(f.Delay) {
		x.abort()
	}
	req := r.Clone(r.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.GetBody = nil
	c := &Call{OperationID: x.operation, Request: req, PathParams: params, Body: body, srv: s}
	if f != nil {
		c.fault = f.Kind
	}
	resp, err := callHandler(handler, c)
	if e := x.answerError(resp, err); e != nil {
		x.fail(e)
		return
	}
	x.succeed(resp, f)
}

// callHandler runs h, turning a panic into an error, so that a broken
// behaviour gets an answer rather than a dropped connection.
func callHandler(h Handler, c *Call) (resp *Response, err error) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p) // the handler means to drop the connection
			}
			resp, err = nil, fmt.Errorf("panic: %v", p)
		}
	}()
	return h(c)
}

// answerError returns the error answer for a handler's outcome, nil when it
// answered 2xx.
func (x *exchange) answerError(resp *Response, err error) *Error {
	var e *Error
	switch {
	case errors.As(err, &e):
		if e.Status < 300 || e.Status > 599 || e.Code == "" {
			return x.behaviourFailed(fmt.Errorf("error answer %d %q: want a 3xx to 5xx Status and a Code", e.Status, e.Code))
		}
		return e
	case err != nil:
		return x.behaviourFailed(err)
	case resp == nil:
		return x.behaviourFailed(errors.New("no answer and no error"))
	case resp.Status != 0 && (resp.Status < 200 || resp.Status > 299):
		return x.behaviourFailed(fmt.Errorf("answer status %d: want 2xx, or an *Error", resp.Status))
	}
	return nil
}

// behaviourFailed logs a handler's failure and returns the 500 answer.
func (x *exchange) behaviourFailed(err error) *Error {
	x.srv.log.LogAttrs(x.r.Context(), slog.LevelError, "sandbox behaviour failed",
		slog.String("operation", x.operation), slog.String("error", err.Error()))
	return &Error{Status: http.StatusInternalServerError, Code: "SYSTEM_ERROR",
		Message: "the sandbox's behaviour for " + x.operation + " failed: " + err.Error()}
}

func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, *Error) {
	var maxErr *http.MaxBytesError
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	switch {
	case errors.As(err, &maxErr):
		return nil, &Error{Status: http.StatusBadRequest, Code: "INVALID_REQUEST",
			Message: fmt.Sprintf("request body exceeds %d bytes", limit)}
	case err != nil:
		return nil, &Error{Status: http.StatusBadRequest, Code: "INVALID_REQUEST",
			Message: "request body could not be read"}
	}
	return b, nil
}

// newRequestID returns 32 upper-case hex digits.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails, see crypto/rand.Read
	return strings.ToUpper(hex.EncodeToString(b[:]))
}
