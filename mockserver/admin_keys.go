package mockserver

import "net/http"

// adminKeys serves the signing keys part of the admin API.
func (a *Authority) adminKeys(mux *http.ServeMux) {
	keys := func(w http.ResponseWriter, status int) {
		writeJSONStatus(w, status, map[string]any{"signing_kid": a.KeyID(), "kids": a.KeyIDs()})
	}
	mux.HandleFunc("GET "+PathAdmin+"keys", func(w http.ResponseWriter, r *http.Request) { keys(w, http.StatusOK) })
	mux.HandleFunc("POST "+PathAdmin+"keys/rotate", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Alg     string `json:"alg,omitempty"`
			DropOld bool   `json:"drop_old,omitempty"`
		}
		if r.ContentLength != 0 && !readAdmin(w, r, &req) {
			return
		}
		var err error
		if req.Alg != "" {
			_, err = a.RotateKeyAlg(req.Alg)
		} else {
			_, err = a.RotateKey()
		}
		if err != nil {
			adminError(w, http.StatusBadRequest, "invalid_request", err.Error())
			return
		}
		if req.DropOld {
			a.DropRetiredKeys()
		}
		keys(w, http.StatusOK)
	})
	mux.HandleFunc("DELETE "+PathAdmin+"keys/retired", func(w http.ResponseWriter, r *http.Request) {
		a.DropRetiredKeys()
		keys(w, http.StatusOK)
	})
}
