package mockserver

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/occheck/occheck/internal/rfc6749"
)

// MaxBodyBytes bounds a token request body; larger bodies get 400.
const MaxBodyBytes = 64 << 10

// tokenRequest is a token request after parsing: single-valued parameters
// with empty values dropped (§3.2), and the resource list (RFC 8707).
type tokenRequest struct {
	params    map[string]string
	resources []string
	// emptyScope records that scope was sent with an empty value, which
	// §3.2 treats as absent.
	emptyScope bool
}

// readRequest accepts POST only (§3.2): other methods get 405 with Allow.
func (a *Authority) readRequest(x *exchange) (url.Values, *oauthError) {
	if x.r.Method != http.MethodPost {
		return nil, &oauthError{Code: rfc6749.ErrInvalidRequest, Status: http.StatusMethodNotAllowed, Allow: http.MethodPost,
			Description: "the token endpoint accepts only POST (RFC 6749 section 3.2)"}
	}
	return x.s.readBody(x)
}

// readBody checks the media type (any case, UTF-8 charset) and reads the
// bounded form body (Appendix B).
func (a *Authority) readBody(x *exchange) (url.Values, *oauthError) {
	ct := x.r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || mt != formMediaType {
		return nil, errInvalidRequest("Content-Type must be application/x-www-form-urlencoded")
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "us-ascii") {
		return nil, errInvalidRequest("the form body must be UTF-8 (RFC 6749 Appendix B)")
	}
	body, err := io.ReadAll(http.MaxBytesReader(x.w, x.r.Body, MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errInvalidRequest("request body exceeds %d bytes", MaxBodyBytes)
		}
		return nil, errInvalidRequest("request body could not be read")
	}
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, errInvalidRequest("request body is not valid application/x-www-form-urlencoded")
	}
	for k, vs := range vals {
		if !utf8.ValidString(k) {
			return nil, errInvalidRequest("request body is not valid UTF-8")
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return nil, errInvalidRequest("request body is not valid UTF-8")
			}
		}
	}
	return vals, nil
}

// refuseQueryCredentials: client credentials never come from the request
// URI (§2.3.1); other query parameters are simply not read (§4.4.2).
func refuseQueryCredentials(x *exchange, vals url.Values) (url.Values, *oauthError) {
	if x.r.URL.RawQuery == "" {
		return vals, nil
	}
	q := x.r.URL.Query()
	for _, k := range []string{rfc6749.ParamClientID, rfc6749.ParamClientSecret, rfc6749.ParamClientAssertion} {
		if q.Has(k) {
			return nil, errInvalidRequest("client credentials must not be sent in the request URI (RFC 6749 section 2.3.1)")
		}
	}
	return vals, nil
}

// parseParams applies §3.2: empty values count as absent, a parameter may
// appear once (resource excepted, RFC 8707 §2), unknown ones are ignored.
func parseParams(x *exchange, vals url.Values) (*tokenRequest, *oauthError) {
	req := &tokenRequest{params: make(map[string]string, len(vals))}
	for k, vs := range vals {
		var first string
		n := 0
		for _, v := range vs {
			if v != "" {
				if n == 0 {
					first = v
				}
				n++
			}
		}
		if k == rfc6749.ParamResource {
			for _, v := range vs {
				if v != "" {
					req.resources = append(req.resources, v)
				}
			}
			continue
		}
		if n == 0 {
			if k == rfc6749.ParamScope && len(vs) > 0 {
				req.emptyScope = true
			}
			continue
		}
		if n > 1 {
			return nil, errInvalidRequest("parameter %s is repeated (RFC 6749 section 3.2)", clip(k))
		}
		req.params[k] = first
	}
	return req, nil
}

// clip shortens request-supplied text before it goes into a description.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
