package wire

// Every request of the Documents service is a Request.
var (
	_ Request = (*HeldPiecesRequest)(nil)
	_ Request = (*PutPieceRequest)(nil)
	_ Request = (*GetPieceRequest)(nil)
)

// SetAuth replaces the request's Auth.
func (r *HeldPiecesRequest) SetAuth(a *Auth) { r.Auth = a }

// SetAuth replaces the request's Auth.
func (r *PutPieceRequest) SetAuth(a *Auth) { r.Auth = a }

// SetAuth replaces the request's Auth.
func (r *GetPieceRequest) SetAuth(a *Auth) { r.Auth = a }
