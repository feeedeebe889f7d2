"""Receiving: the inbox list, reading a document (``getEdoc``, ``downloadEdoc``), the transport
ack (``updateStatus``), the sender's per-recipient view (``getSentEdocList``) and the counts.
"""

from __future__ import annotations

import base64
import random
from typing import Any

from axis import envelope
from axis.call import Answer, Call, Handler, read_messagetype, required, wire_time
from axis.errors import NotFound
from axis.events import DeliveryEvent
from axis.records import DONE

_OK = envelope.ok()

__all__ = [
    "count",
    "download_edoc",
    "get_edoc",
    "get_received_list",
    "get_sent_list",
    "update_status",
]


Inbox = tuple[list[dict[str, str]], list[str], bytes]


def _render_inbox(rows: list[tuple[Any, ...]]) -> Inbox:
    """The list items, their docIds and the encoded answer (cached with the inbox)."""
    rendered = [
        {
            "docId": r[0],
            "serviceType": r[1],
            "messageType": r[2],
            "created_time": wire_time(r[3]),
            "updated_time": wire_time(r[4]),
            "from": r[5],
            "to": r[6],
            "status": r[7],
            "status_desc": r[8],
        }
        for r in rows
    ]
    items = envelope.items(rendered)
    return items, [r[0] for r in rows], envelope.encode(envelope.ok(data=items))


def get_received_list(call: Call) -> Answer:
    messagetype = read_messagetype(call)
    items, listed, encoded = call.store.mailbox.inbox_view(
        call.system_id, messagetype, call.config.list_limit, _render_inbox
    )
    summary: dict[str, Any] = {"messagetype": messagetype, "listed": tuple(listed)}
    if not call.injections:
        return Answer(_OK, encoded=encoded, summary=summary)
    for injection in call.injections:
        if injection.kind == "duplicate" and items:
            items = list(items)
            pick = injection.params["pick"] % len(items)
            items.insert(pick + 1, dict(items[pick]))
        elif injection.kind == "reorder" and len(items) > 1:
            items = list(items)
            random.Random(injection.params["shuffle_seed"]).shuffle(items)
    summary["listed"] = tuple(i["docId"] for i in items)
    return Answer(envelope.ok(data=items), summary=summary)


def _doc_id(call: Call) -> str:
    return required(call, "docId", "the DocId of the document")


def get_edoc(call: Call) -> Answer:
    doc_id = _doc_id(call)
    body = call.store.mailbox.readable_body(call.system_id, doc_id)
    if body is None:
        raise NotFound(f"document {doc_id!r} not found")
    data = base64.b64encode(body).decode("ascii")
    return Answer(envelope.ok(data=data), summary={"doc_id": doc_id, "size": len(body)})


def download_edoc(call: Call) -> Answer:
    doc_id = _doc_id(call)
    body = call.store.mailbox.readable_body(call.system_id, doc_id)
    if body is None:
        raise NotFound(f"document {doc_id!r} not found")
    return Answer(raw=body, summary={"doc_id": doc_id, "size": len(body)})


_STATUS_DESC = {
    "done": "received and processed by the receiver",
    "fail": "the receiver could not process it; listed again",
    "processing": "the receiver is processing it",
}


def update_status(call: Call) -> Answer:
    doc_id = _doc_id(call)
    status = required(call, "status", "done, fail or processing")
    delivery = call.store.mailbox.delivery(call.system_id, doc_id)
    if delivery is None:
        raise NotFound(f"document {doc_id!r} not found among your deliveries")
    word = status.lower() if status.lower() in _STATUS_DESC else status
    if delivery.status != word:
        desc = _STATUS_DESC.get(word, f"status {word!r} reported by the receiver")
        call.store.mailbox.set_delivery_status(delivery, word, desc)
        call.note(
            DeliveryEvent(
                doc_id=doc_id,
                system=call.system_id,
                status=word,
                previous=delivery.status,
                listed=word != DONE,
            )
        )
    return Answer(envelope.ok(), summary={"doc_id": doc_id, "ack": word})


def get_sent_list(call: Call) -> Answer:
    messagetype = read_messagetype(call)
    doc_id = call.headers.vxp("docId") or None
    items = []
    for msg, deliveries in call.store.mailbox.sent(
        call.system_id, messagetype, doc_id, call.config.list_limit
    ):
        for d in deliveries:
            visible = d.visible_at <= call.store.clock()
            for code in d.to_codes.split(","):
                items.append(
                    {
                        "serviceType": msg.service_type,
                        "messageType": msg.messagetype,
                        "senderDocId": msg.doc_id,
                        "receiverDocId": msg.doc_id,
                        "fromCode": msg.from_code,
                        "toCode": code,
                        "title": msg.title,
                        "notation": msg.notation,
                        "sentTime": wire_time(msg.created),
                        "receivedTime": wire_time(d.updated) if d.status == DONE else "",
                        "sendStatus": "sent" if visible else "queued",
                        "sendStatusDesc": "stored by the axis"
                        if visible
                        else "stored by the axis, not yet visible to the receiver",
                        "receiveStatus": d.status,
                        "receiveStatusDesc": d.status_desc,
                    }
                )
    return Answer(
        envelope.ok(data=envelope.items(items)),
        summary={"messagetype": messagetype, "items": len(items)},
    )


def count(messagetype: str) -> Handler:
    def count(call: Call) -> Answer:
        n = call.store.mailbox.inbox_count(call.system_id, messagetype)
        return Answer(envelope.ok(count=n), summary={"messagetype": messagetype, "count": n})

    return count
