package mockserver

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"
)

// PathAdmin is the prefix of the admin API: faults, clock, keys, quirks
// and the journal, for tests written in any language. It is served only
// with Config.Admin, and then only to loopback clients unless
// Config.AdminToken names the bearer token it demands.
const PathAdmin = "/_occheck/"

// maxAdminBody bounds an admin request body.
const maxAdminBody = 64 << 10

// adminAPI routes the admin endpoints.
func (a *Authority) adminAPI(token string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PathAdmin+"faults", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"faults": a.Faults()})
	})
	mux.HandleFunc("POST "+PathAdmin+"faults", func(w http.ResponseWriter, r *http.Request) {
		var f Fault
		if !readAdmin(w, r, &f) {
			return
		}
		id, err := a.AddFault(f)
		if err != nil {
			adminError(w, http.StatusBadRequest, "invalid_fault", err.Error())
			return
		}
		w.Header().Set("Location", PathAdmin+"faults/"+id)
		writeJSONStatus(w, http.StatusCreated, map[string]string{"id": id})
	})
	mux.HandleFunc("DELETE "+PathAdmin+"faults", func(w http.ResponseWriter, r *http.Request) {
		a.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("DELETE "+PathAdmin+"faults/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !a.RemoveFault(r.PathValue("id")) {
			adminError(w, http.StatusNotFound, "not_found", "no fault "+clip(r.PathValue("id")))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET "+PathAdmin+"requests", func(w http.ResponseWriter, r *http.Request) {
		f := RequestFilter{Endpoint: r.URL.Query().Get("endpoint"), ClientID: r.URL.Query().Get("client_id")}
		switch f.Endpoint {
		case "", EndpointToken, EndpointJWKS, EndpointMetadata:
		default:
			adminError(w, http.StatusBadRequest, "invalid_request", "endpoint must be token, jwks or metadata")
			return
		}
		writeJSON(w, map[string]any{"requests": a.RequestsFor(f)})
	})
	mux.HandleFunc("DELETE "+PathAdmin+"requests", func(w http.ResponseWriter, r *http.Request) {
		a.ResetRequests()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET "+PathAdmin+"clock", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, clockState{Now: a.now().UTC().Format(time.RFC3339Nano)})
	})
	mux.HandleFunc("POST "+PathAdmin+"clock", func(w http.ResponseWriter, r *http.Request) {
		var c struct {
			Set     string   `json:"set,omitempty"`
			Advance Duration `json:"advance,omitempty"`
			Reset   bool     `json:"reset,omitempty"`
		}
		if !readAdmin(w, r, &c) {
			return
		}
		n := 0
		for _, set := range []bool{c.Reset, c.Set != "", c.Advance != 0} {
			if set {
				n++
			}
		}
		switch {
		case n > 1:
			adminError(w, http.StatusBadRequest, "invalid_request", "give only one of set, advance or reset")
			return
		case c.Reset:
			a.clock.Reset()
		case c.Set != "":
			t, err := time.Parse(time.RFC3339Nano, c.Set)
			if err != nil {
				adminError(w, http.StatusBadRequest, "invalid_request", "set: want an RFC 3339 time such as 2030-01-02T15:04:05Z")
				return
			}
			a.clock.Set(t)
		case c.Advance != 0:
			a.clock.Advance(time.Duration(c.Advance))
		default:
			adminError(w, http.StatusBadRequest, "invalid_request", "give one of set, advance or reset")
			return
		}
		writeJSON(w, clockState{Now: a.now().UTC().Format(time.RFC3339Nano)})
	})
	mux.HandleFunc("GET "+PathAdmin+"quirks", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"quirks": nonNil(a.Quirks())})
	})
	mux.HandleFunc("PUT "+PathAdmin+"quirks", func(w http.ResponseWriter, r *http.Request) {
		var q struct {
			Quirks *[]Quirk `json:"quirks"`
		}
		if !readAdmin(w, r, &q) {
			return
		}
		if q.Quirks == nil {
			adminError(w, http.StatusBadRequest, "invalid_request", `quirks is required ([] switches every quirk off)`)
			return
		}
		if err := a.SetQuirks(*q.Quirks...); err != nil {
			adminError(w, http.StatusBadRequest, "invalid_request", err.Error())
			return
		}
		writeJSON(w, map[string]any{"quirks": nonNil(a.Quirks())})
	})
	mux.HandleFunc("POST "+PathAdmin+"reset", func(w http.ResponseWriter, r *http.Request) {
		a.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
	a.adminKeys(mux)
	a.adminTokens(mux)
	mux.HandleFunc(PathAdmin, func(w http.ResponseWriter, r *http.Request) {
		adminError(w, http.StatusNotFound, "not_found", "no admin endpoint "+clip(r.Method+" "+r.URL.Path)+"; see specs/openapi.yaml")
	})
	return adminGuard(token, mux)
}

type clockState struct {
	Now string `json:"now"`
}

func nonNil(q []Quirk) []Quirk {
	if q == nil {
		return []Quirk{}
	}
	return q
}

// adminGuard lets in loopback clients, or with a token only requests that
// bear it: a shared mock must not be an open door.
func adminGuard(token string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token != "" {
			scheme, got, _ := strings.Cut(r.Header.Get("Authorization"), " ")
			if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(token)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="occheck-admin"`)
				adminError(w, http.StatusUnauthorized, "invalid_token", "the admin API needs Authorization: Bearer with the admin token")
				return
			}
		} else if why := notLocal(r); why != "" {
			adminError(w, http.StatusForbidden, "forbidden", "the admin API answers local clients only ("+why+"); set admin_token to open it to others")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// notLocal says why a request without a token is not from a local test:
// another host, a proxy in between, a web page (DNS rebinding, or a
// cross-site form post), or "" when it is local.
func notLocal(r *http.Request) string {
	switch {
	case !loopbackRemote(r.RemoteAddr):
		return "the client is not on loopback"
	case r.Header.Get("Origin") != "":
		return "a web page's request"
	case r.Header.Get("Forwarded") != "" || r.Header.Get("X-Forwarded-For") != "":
		return "a request through a proxy"
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if ip := net.ParseIP(strings.Trim(host, "[]")); (ip == nil || !ip.IsLoopback()) && host != "localhost" {
		return "the Host header names " + clip(host)
	}
	return ""
}

func loopbackRemote(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// readAdmin decodes a bounded JSON body into v, unknown fields refused;
// false after writing the error.
func readAdmin(w http.ResponseWriter, r *http.Request, v any) bool {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		adminError(w, http.StatusUnsupportedMediaType, "invalid_request", "send the body as Content-Type: application/json")
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAdminBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("trailing data after the JSON object")
	}
	if err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			adminError(w, http.StatusRequestEntityTooLarge, "invalid_request", fmt.Sprintf("the body exceeds %d bytes", maxAdminBody))
		case errors.Is(err, io.EOF):
			adminError(w, http.StatusBadRequest, "invalid_request", "a JSON body is required")
		default:
			adminError(w, http.StatusBadRequest, "invalid_request", "the body is not the JSON this endpoint takes: "+err.Error())
		}
		return false
	}
	return true
}

// adminError is the one error shape of the admin API.
func adminError(w http.ResponseWriter, status int, code, desc string) {
	writeJSONStatus(w, status, errorBody{Error: code, Description: sanitizeDescription(desc)})
}

func writeJSONStatus(w http.ResponseWriter, status int, v any) {
	body, _ := json.Marshal(v)
	w.Header().Set("Content-Type", jsonContentType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
