package web

import (
	"errors"
	"io"
	"net/http"
)

// PostOnly answers a request that is not a POST with 405 and reports
// whether it was one. Handlers mounted on a "POST …" route do not need it;
// the chat adapters' handlers can be mounted anywhere.
func PostOnly(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodPost {
		return true
	}
	w.Header().Set("Allow", http.MethodPost)
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return false
}

// ReadBody reads a request's body of at most limit bytes, so that no
// caller can be made to hold an unbounded body. When the body is larger it
// answers 413, when it cannot be read 400, and reports false.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err == nil {
		return body, true
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
	} else {
		http.Error(w, "cannot read request", http.StatusBadRequest)
	}
	return nil, false
}
