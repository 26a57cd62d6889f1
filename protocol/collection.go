package protocol

// CollectionInformationRequest is a Collection_Information_Request (MSG-40),
// or a TAXII 1.0 Feed_Information_Request.
type CollectionInformationRequest struct {
	Header
}

// Type returns TypeCollectionInformationRequest.
func (*CollectionInformationRequest) Type() MessageType {
	return TypeCollectionInformationRequest
}

// CollectionInformationResponse is a Collection_Information_Response
// (MSG-41), or a TAXII 1.0 Feed_Information_Response.
type CollectionInformationResponse struct {
	Header
	Collections []CollectionInformation
}

// Type returns TypeCollectionInformationResponse.
func (*CollectionInformationResponse) Type() MessageType {
	return TypeCollectionInformationResponse
}

// CollectionInformation describes one collection (MSG-42).
type CollectionInformation struct {
	Name string
	// Type is DataFeed or DataSet; empty means DataFeed.
	Type CollectionType
	// Available is nil when unknown.
	Available   *bool
	Description string
	// Volume is the typical number of records added per day, nil if unknown.
	Volume                 *uint64
	ContentBindings        []ContentBinding
	PushMethods            []PushMethod
	PollingServices        []ServiceContact
	SubscriptionServices   []ServiceContact
	ReceivingInboxServices []InboxService
}

// PushMethod says how content of a collection can be pushed (MSG-12).
type PushMethod struct {
	ProtocolBinding string
	MessageBindings []string
}

// ServiceContact is how to reach a service: a Polling_Service,
// Subscription_Service or Poll_Instance (MSG-11).
type ServiceContact struct {
	ProtocolBinding string
	Address         string
	MessageBindings []string
}

// InboxService is a Receiving_Inbox_Service (MSG-14).
type InboxService struct {
	ServiceContact
	ContentBindings []ContentBinding
}
