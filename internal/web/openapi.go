package web

import (
	_ "embed"
	"net/http"
)

// openAPI describes the API. It is kept by hand; TestOpenAPI checks that it
// lists exactly the routes the server has.
//
//go:embed openapi.json
var openAPI []byte

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeRaw(w, http.StatusOK, openAPI)
}
