"""The VXP operations of AXIS_PROTOCOL.md §4: name, HTTP method, the headers each owns (they
must be signed) and its handler. The handlers live in :mod:`axis.sending`,
:mod:`axis.receiving` and :mod:`axis.agency_ops`.
"""

from __future__ import annotations

from axis.agency_ops import (
    delete_agency,
    get_agencies_list,
    get_agencies_list_qd20,
    get_synchronize_unit,
    register_agency_op,
)
from axis.call import Answer, Call, Operation, wire_time
from axis.receiving import (
    count,
    download_edoc,
    get_edoc,
    get_received_list,
    get_sent_list,
    update_status,
)
from axis.sending import NO_DESCRIPTION, send_edoc, store_message

__all__ = [
    "NO_DESCRIPTION",
    "OPERATIONS",
    "Answer",
    "Call",
    "Operation",
    "send_edoc",
    "store_message",
    "wire_time",
]

OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in (
        Operation(
            "sendEdoc",
            "POST",
            ("from", "servicetype", "messagetype", "hash-file", "to"),
            send_edoc,
            ascii_only=True,
            writes=True,
        ),
        Operation("getReceivedEdocList", "POST", ("servicetype", "messagetype"), get_received_list),
        Operation("getEdoc", "POST", ("docId",), get_edoc),
        Operation("downloadEdoc", "GET", ("docId",), download_edoc, json=False),
        Operation("updateStatus", "POST", ("docId", "status"), update_status, writes=True),
        Operation(
            "getSentEdocList", "POST", ("servicetype", "messagetype", "docId"), get_sent_list
        ),
        Operation("countReceiveEdoc", "POST", ("servicetype", "messagetype"), count("edoc")),
        Operation("countReceiveStatus", "POST", ("servicetype", "messagetype"), count("status")),
        Operation("getAgenciesList", "POST", (), get_agencies_list),
        Operation("getAgenciesListQD20", "POST", ("level",), get_agencies_list_qd20),
        Operation("getSynchronizeUnit", "POST", (), get_synchronize_unit),
        Operation("registerAgency", "POST", (), register_agency_op, writes=True),
        Operation("deleteAgency", "POST", ("AgencyCode",), delete_agency, writes=True),
    )
}
