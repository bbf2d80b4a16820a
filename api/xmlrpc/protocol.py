"""Parsing requests safely (defusedxml) and writing responses (xmlrpc.client.dumps)."""

import xmlrpc.client

from defusedxml.common import DefusedXmlException
from defusedxml.xmlrpc import DefusedExpatParser

# Standard fault codes (the "specification for fault code interoperability").
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603


class RequestError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.fault = xmlrpc.client.Fault(code, message)


def parse_request(body: bytes):
    """(method_name, params) from a methodCall document; DTDs, entities and external refs refused."""
    unmarshaller = xmlrpc.client.Unmarshaller(use_datetime=False, use_builtin_types=True)
    parser = DefusedExpatParser(unmarshaller, forbid_dtd=True)
    try:
        parser.feed(body)
        parser.close()
        params = unmarshaller.close()
    except DefusedXmlException:
        raise RequestError(INVALID_REQUEST, "XML with DTDs or entity declarations is not accepted.") from None
    except (xmlrpc.client.ResponseError, ValueError, TypeError, IndexError, KeyError, AttributeError) as exc:
        raise RequestError(PARSE_ERROR, f"Malformed XML-RPC request: {exc}") from None
    except Exception as exc:  # noqa: BLE001 (expat.ExpatError and friends: any parse failure is the client's)
        raise RequestError(PARSE_ERROR, f"Malformed XML-RPC request: {exc}") from None
    method = unmarshaller.getmethodname()
    if not method:
        raise RequestError(INVALID_REQUEST, "The request has no methodName.")
    return method, params


def _plain(value):
    """Make a result marshallable: None becomes '' (not every client accepts <nil/>), tuples lists."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**31) <= value < 2**31:
        return str(value)  # XML-RPC <int> is 32-bit
    return value


def dump_result(value) -> bytes:
    return xmlrpc.client.dumps((_plain(value),), methodresponse=True, encoding="utf-8").encode()


def dump_fault(fault: xmlrpc.client.Fault) -> bytes:
    return xmlrpc.client.dumps(fault, methodresponse=True, encoding="utf-8").encode()
