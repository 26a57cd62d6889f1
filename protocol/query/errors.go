package query

import (
	"errors"
	"fmt"

	"github.com/taxiinode/taxiinode/protocol"
)

// ErrConfig is wrapped by the errors of Config.Validate.
var ErrConfig = errors.New("query: invalid configuration")

// badQuery returns the BAD_MESSAGE status error of a malformed query.
func badQuery(format string, args ...any) *protocol.StatusError {
	return protocol.Errorf(protocol.StatusBadMessage, "default query: "+format, args...)
}

// unsupportedFormat returns the UNSUPPORTED_QUERY status error (ST-17) for a
// query format other than the Default Query.
func unsupportedFormat(formatID string) *protocol.StatusError {
	return protocol.Errorf(protocol.StatusUnsupportedQuery,
		"query format %q is not supported", formatID).
		With(protocol.DetailSupportedQuery, protocol.QueryFormatDefault)
}

// unsupportedVocabulary returns the UNSUPPORTED_TARGETING_EXPRESSION_ID
// status error (ST-20) listing the vocabularies c accepts.
func (c Config) unsupportedVocabulary(id string) *protocol.StatusError {
	return protocol.Errorf(protocol.StatusUnsupportedTargetingID,
		"targeting expression vocabulary %q is not supported", id).
		With(protocol.DetailTargetingExpressionID, c.Vocabularies...)
}

// unsupportedModule returns the UNSUPPORTED_CAPABILITY_MODULE status error
// (ST-18) listing the capability modules this package implements.
func unsupportedModule(id string) *protocol.StatusError {
	return protocol.Errorf(protocol.StatusUnsupportedCapability,
		"capability module %q is not supported", id).
		With(protocol.DetailCapabilityModule, capabilityModules...)
}

// outOfScope returns the UNSUPPORTED_TARGETING_EXPRESSION status error
// (ST-19, QRY-32): every preferred scope, then every allowed scope.
func (c Config) outOfScope(target string) *protocol.StatusError {
	return protocol.Errorf(protocol.StatusUnsupportedTargeting,
		"target %q is outside the supported scope", target).
		With(protocol.DetailPreferredScope, c.PreferredScope...).
		With(protocol.DetailAllowedScope, c.AllowedScope...)
}

// configError wraps ErrConfig with a reason.
func configError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, args...))
}
