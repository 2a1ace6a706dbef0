package mockserver

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
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
			Description: "the token endpoint accepts only POST (RFC 6749 section 3.2); this request used " + reasonQuote(x.r.Method) +
				": send the parameters as an application/x-www-form-urlencoded POST body"}
	}
	return x.s.readBody(x)
}

// readBody checks the media type (any case, UTF-8 charset) and reads the
// bounded form body (Appendix B).
func (a *Authority) readBody(x *exchange) (url.Values, *oauthError) {
	ct := x.r.Header.Get("Content-Type")
	if ct == "" {
		return nil, errInvalidRequest("the request has no Content-Type; the token endpoint takes an application/x-www-form-urlencoded body (RFC 6749 section 3.2)")
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil, errInvalidRequest("Content-Type %s cannot be parsed; it must be application/x-www-form-urlencoded", reasonQuote(ct))
	}
	if mt != formMediaType {
		return nil, errInvalidRequest("Content-Type must be application/x-www-form-urlencoded (RFC 6749 section 3.2), not %s%s", reasonQuote(ct), mediaTypeHint(mt))
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "us-ascii") {
		return nil, errInvalidRequest("the form body must be UTF-8 (RFC 6749 Appendix B); the Content-Type names charset %s", reasonQuote(cs))
	}
	body, err := io.ReadAll(http.MaxBytesReader(x.w, x.r.Body, MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errInvalidRequest("request body exceeds %d bytes, the most this server reads", MaxBodyBytes)
		}
		return nil, errInvalidRequest("request body could not be read")
	}
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, errInvalidRequest("request body is not valid application/x-www-form-urlencoded: %s", formError(string(body)))
	}
	var bad []string
	for k, vs := range vals {
		if !utf8.ValidString(k) {
			bad = append(bad, "a parameter name")
			continue
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				bad = append(bad, "the value of parameter "+reasonQuote(k))
				break
			}
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return nil, errInvalidRequest("request body is not valid UTF-8 (RFC 6749 Appendix B) in %s", strings.Join(bad, ", "))
	}
	return vals, nil
}

// mediaTypeHint says what to do instead of a media type clients commonly
// send by mistake.
func mediaTypeHint(mt string) string {
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return ": send the parameters form-encoded, not as JSON"
	case mt == "multipart/form-data":
		return ": send the parameters url-encoded, not as multipart form data"
	}
	return ""
}

// formError names the first part of a body that url.ParseQuery refuses:
// parameter names, never values.
func formError(body string) string {
	for body != "" {
		var pair string
		pair, body, _ = strings.Cut(body, "&")
		k, v, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			return "a parameter name holds an invalid %-escape; a literal '%' must be sent as %25"
		}
		if strings.Contains(pair, ";") {
			return "parameter " + reasonQuote(name) + " holds a raw ';', which is not a separator here; separate parameters with '&' and send ';' as %3B"
		}
		if _, err := url.QueryUnescape(v); err != nil {
			return "the value of parameter " + reasonQuote(name) + " holds an invalid %-escape; a literal '%' must be sent as %25"
		}
	}
	return "it could not be parsed"
}

// refuseQueryCredentials: client credentials never come from the request
// URI (§2.3.1); other query parameters are simply not read (§4.4.2).
func refuseQueryCredentials(x *exchange, vals url.Values) (url.Values, *oauthError) {
	if x.r.URL.RawQuery == "" {
		return vals, nil
	}
	q := x.r.URL.Query()
	var found []string
	for _, k := range []string{rfc6749.ParamClientID, rfc6749.ParamClientSecret, rfc6749.ParamClientAssertion} {
		if q.Has(k) {
			found = append(found, k)
		}
	}
	if len(found) > 0 {
		return nil, errInvalidRequest("client credentials must not be sent in the request URI (RFC 6749 section 2.3.1): the query holds %s; "+
			"send them in the form body or with HTTP Basic", strings.Join(found, " and "))
	}
	return vals, nil
}

// parseParams applies §3.2: empty values count as absent, a parameter may
// appear once (resource excepted, RFC 8707 §2), unknown ones are ignored.
func parseParams(x *exchange, vals url.Values) (*tokenRequest, *oauthError) {
	req := &tokenRequest{params: make(map[string]string, len(vals))}
	var repeated []string
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
			repeated = append(repeated, reasonQuote(k))
		}
		req.params[k] = first
	}
	switch len(repeated) {
	case 0:
		return req, nil
	case 1:
		return nil, errInvalidRequest("parameter %s is repeated (RFC 6749 section 3.2): send each parameter once", repeated[0])
	}
	slices.Sort(repeated)
	return nil, errInvalidRequest("parameters %s are repeated (RFC 6749 section 3.2): send each parameter once", strings.Join(repeated, ", "))
}

// missingGrantType answers a request without grant_type (§4.4.2), saying
// where the parameter went: sent empty, put in the URI, or not sent.
func missingGrantType(x *exchange) *oauthError {
	const need = "grant_type is required (RFC 6749 section 4.4.2)"
	switch {
	case x.form.Has(rfc6749.ParamGrantType):
		return errInvalidRequest("%s", need+" but was sent empty; send grant_type=client_credentials")
	case x.r.URL.Query().Has(rfc6749.ParamGrantType):
		return errInvalidRequest("%s", need+" in the form body; the request URI's query holds one, but the token endpoint does not read parameters from the URI")
	case len(x.form) == 0:
		return errInvalidRequest("%s", need+"; the form body is empty")
	}
	var names []string
	for k := range x.form {
		if strings.HasPrefix(k, "{") {
			return errInvalidRequest("%s", need+"; the body looks like JSON, but it must be application/x-www-form-urlencoded parameters")
		}
		if !x.a.isRegisteredSecret(k) {
			names = append(names, reasonQuote(k))
		}
	}
	if len(names) == 0 {
		return errInvalidRequest("%s", need+"; the form body has no grant_type parameter")
	}
	slices.Sort(names)
	if len(names) > 8 {
		names = append(names[:8], "...")
	}
	return errInvalidRequest("%s", need+"; the form body holds only "+strings.Join(names, ", "))
}

// clip shortens request-supplied text before it goes into a description.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
