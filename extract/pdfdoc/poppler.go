package pdfdoc

import (
	"context"

	"github.com/nianbao/nianbao"
)

func extractPoppler(ctx context.Context, data []byte, opt Options) (*nianbao.Document, error) {
	return nil, ErrEngineMissing
}
