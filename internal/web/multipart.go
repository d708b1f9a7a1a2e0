package web

import (
	"io"
	"mime/multipart"

	"github.com/dueprocess/dueprocess"
)

func multipartReader(body io.Reader, boundary string) (*multipart.Reader, error) {
	if boundary == "" {
		return nil, &dueprocess.Error{Kind: dueprocess.Invalid, Field: "Content-Type", Message: "multipart/form-data needs a boundary"}
	}
	return multipart.NewReader(body, boundary), nil
}
