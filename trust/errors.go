package trust

import "errors"

// Errors returned when a policy is checked.
var (
	ErrDuplicatePeer    = errors.New("trust: peer listed twice")
	ErrDuplicateAccount = errors.New("trust: account listed twice")
	ErrInvalidName      = errors.New("trust: invalid name")
	ErrInvalidRight     = errors.New("trust: invalid right")
)
