package mockserver

import "net/http"

// adminKeys serves the signing keys part of the admin API.
func (a *Authority) adminKeys(mux *http.ServeMux) {
	mux.HandleFunc("GET "+PathAdmin+"keys", func(w http.ResponseWriter, r *http.Request) {
		set := a.JWKS()
		kids := make([]string, 0, len(set.Keys))
		for _, k := range set.Keys {
			kids = append(kids, k.KeyID)
		}
		writeJSON(w, map[string]any{"signing_kid": a.KeyID(), "kids": kids})
	})
}
