package protocol

// DiscoveryRequest is a Discovery_Request (MSG-30).
type DiscoveryRequest struct {
	Header
}

// Type returns TypeDiscoveryRequest.
func (*DiscoveryRequest) Type() MessageType { return TypeDiscoveryRequest }

// DiscoveryResponse is a Discovery_Response (MSG-31).
type DiscoveryResponse struct {
	Header
	ServiceInstances []ServiceInstance
}

// Type returns TypeDiscoveryResponse.
func (*DiscoveryResponse) Type() MessageType { return TypeDiscoveryResponse }

// ServiceInstance describes one service instance (MSG-32).
type ServiceInstance struct {
	ServiceType    ServiceType
	ServiceVersion string
	// Available is nil when unknown.
	Available        *bool
	ProtocolBinding  string
	Address          string
	MessageBindings  []string
	SupportedQueries []SupportedQuery
	// ContentBindings is only meaningful on INBOX instances.
	ContentBindings []ContentBinding
	Message         string
}

// SupportedQuery advertises one query format (MSG-32, QRY-30). Info holds the
// format's query information, for the Default Query a tdq:Default_Query_Info
// element.
type SupportedQuery struct {
	FormatID string
	Info     InnerXML
}
