package protocol

// Action is the action of a Subscription_Management_Request (EXC-21).
type Action string

// Subscription management actions.
const (
	ActionSubscribe   Action = "SUBSCRIBE"
	ActionUnsubscribe Action = "UNSUBSCRIBE"
	ActionPause       Action = "PAUSE"
	ActionResume      Action = "RESUME"
	ActionStatus      Action = "STATUS"
)

// SubscriptionStatus is the state of a subscription (MSG-62).
type SubscriptionStatus string

// Subscription states; the zero value means ACTIVE.
const (
	SubscriptionActive       SubscriptionStatus = "ACTIVE"
	SubscriptionPaused       SubscriptionStatus = "PAUSED"
	SubscriptionUnsubscribed SubscriptionStatus = "UNSUBSCRIBED"
)

// SubscriptionManagementRequest is a Subscription_Management_Request, the
// Manage Collection Subscription Request (MSG-50).
type SubscriptionManagementRequest struct {
	Header
	Action         Action
	CollectionName string
	SubscriptionID string
	// Parameters is present if and only if Action is SUBSCRIBE.
	Parameters *SubscriptionParameters
	// PushParameters is nil for a subscriber that will poll.
	PushParameters *DeliveryParameters
}

// Type returns TypeSubscriptionManagementRequest.
func (*SubscriptionManagementRequest) Type() MessageType {
	return TypeSubscriptionManagementRequest
}

// SubscriptionParameters are the Subscription_Parameters (MSG-15).
type SubscriptionParameters struct {
	// ResponseType is empty when the request did not give one (FULL).
	ResponseType    ResponseType
	ContentBindings []ContentBinding
	Query           *Query
}

// SubscriptionManagementResponse is a Subscription_Management_Response
// (MSG-60).
type SubscriptionManagementResponse struct {
	Header
	CollectionName string
	Message        string
	Subscriptions  []SubscriptionInstance
}

// Type returns TypeSubscriptionManagementResponse.
func (*SubscriptionManagementResponse) Type() MessageType {
	return TypeSubscriptionManagementResponse
}

// SubscriptionInstance describes one subscription (MSG-62).
type SubscriptionInstance struct {
	// Status is empty when absent (ACTIVE).
	Status         SubscriptionStatus
	SubscriptionID string
	Parameters     *SubscriptionParameters
	PushParameters *DeliveryParameters
	PollInstances  []ServiceContact
}
