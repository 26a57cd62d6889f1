package protocol

// Version and binding identifiers (TAXII 1.1 digest §1).
const (
	ServicesV11 = "urn:taxii.mitre.org:services:1.1"
	ServicesV10 = "urn:taxii.mitre.org:services:1.0"

	MessageBindingXML11 = "urn:taxii.mitre.org:message:xml:1.1"
	MessageBindingXML10 = "urn:taxii.mitre.org:message:xml:1.0"

	NamespaceXML11 = "http://taxii.mitre.org/messages/taxii_xml_binding-1.1"
	NamespaceXML10 = "http://taxii.mitre.org/messages/taxii_xml_binding-1"

	ProtocolHTTP  = "urn:taxii.mitre.org:protocol:http:1.0"
	ProtocolHTTPS = "urn:taxii.mitre.org:protocol:https:1.0"
	// ProtocolLibp2p is taxiinode's own protocol binding: TAXII XML messages
	// on libp2p streams of the protocol /taxii/1.1/xml.
	ProtocolLibp2p = "urn:taxiinode:protocol:libp2p:1.0"

	NamespaceXMLDSig = "http://www.w3.org/2000/09/xmldsig#"
)

// Query format and capability module identifiers (TAXII Default Query 1.0).
const (
	QueryFormatDefault    = "urn:taxii.mitre.org:query:default:1.0"
	NamespaceDefaultQuery = "http://taxii.mitre.org/query/taxii_default_query-1"
	CapabilityCore        = "urn:taxii.mitre.org:query:capability:core-1"
	CapabilityRegex       = "urn:taxii.mitre.org:query:capability:regex-1"
	CapabilityTimestamp   = "urn:taxii.mitre.org:query:capability:timestamp-1"
)

// Content binding identifiers (Content Binding Reference, digest §10).
const (
	BindingSTIX10   = "urn:stix.mitre.org:xml:1.0"
	BindingSTIX101  = "urn:stix.mitre.org:xml:1.0.1"
	BindingSTIX11   = "urn:stix.mitre.org:xml:1.1"
	BindingSTIX111  = "urn:stix.mitre.org:xml:1.1.1"
	BindingSTIX12   = "urn:stix.mitre.org:xml:1.2"
	BindingSTIX121  = "urn:oasis:cti:stix:xml:1.2.1"
	BindingCybox20  = "urn:cybox.mitre.org:xml:2.0"
	BindingCybox201 = "urn:cybox.mitre.org:xml:2.0.1"
	// BindingSTIX20JSON and BindingSTIX21JSON are the identifiers used in
	// practice for STIX 2 JSON carried in TAXII 1.1 content blocks.
	BindingSTIX20JSON = "urn:stix.mitre.org:json:2.0"
	BindingSTIX21JSON = "urn:stix.mitre.org:json:2.1"
	BindingCAP11      = "urn:oasis:names:tc:emergency:cap:1.1"
	BindingCAP12      = "urn:oasis:names:tc:emergency:cap:1.2"
	BindingXMLEnc     = "http://www.w3.org/2001/04/xmlenc#"
	BindingSMIME      = "application/pkcs7-mime"
)

// ServiceType is the type of a TAXII service (the service_type attribute).
type ServiceType string

// The four TAXII 1.1 service types. A TAXII 1.0 FEED_MANAGEMENT service is
// decoded as ServiceCollectionManagement.
const (
	ServiceDiscovery            ServiceType = "DISCOVERY"
	ServiceCollectionManagement ServiceType = "COLLECTION_MANAGEMENT"
	ServiceInbox                ServiceType = "INBOX"
	ServicePoll                 ServiceType = "POLL"
)

// CollectionType tells a Data Feed from a Data Set (GEN-1).
type CollectionType string

// Collection types; the zero value means DATA_FEED.
const (
	DataFeed CollectionType = "DATA_FEED"
	DataSet  CollectionType = "DATA_SET"
)

// ResponseType asks for content or for counts only (EXC-36).
type ResponseType string

// Response types; the zero value means FULL.
const (
	ResponseFull      ResponseType = "FULL"
	ResponseCountOnly ResponseType = "COUNT_ONLY"
)
