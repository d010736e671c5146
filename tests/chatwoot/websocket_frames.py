"""The server side of RFC 6455 for the Chatwoot contract double: the opening handshake, reading
the client's masked frames and writing unmasked text frames. Written with the standard library so
the double shares no code with the client library it tests."""
from __future__ import annotations

import base64
import hashlib
import socket
import struct

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


def accept_key(key: str) -> str:
    return base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()


def _read_exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def read_frame(sock: socket.socket) -> tuple[int, bytes]:
    """(opcode, payload) of the next whole message (fragments joined)."""
    payload, opcode = b"", None
    while True:
        first, second = _read_exact(sock, 2)
        fin, op = first & 0x80, first & 0x0F
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", _read_exact(sock, 2))[0]
        elif length == 127:
            length = struct.unpack("!Q", _read_exact(sock, 8))[0]
        mask = _read_exact(sock, 4) if second & 0x80 else b"\0\0\0\0"
        data = bytearray(_read_exact(sock, length))
        for i in range(len(data)):
            data[i] ^= mask[i % 4]
        if op in (PING, PONG, CLOSE):
            return op, bytes(data)
        opcode = opcode if op == 0 else op
        payload += bytes(data)
        if fin:
            return opcode or TEXT, payload


def frame(payload: bytes, opcode: int = TEXT) -> bytes:
    header = bytes([0x80 | opcode])
    n = len(payload)
    if n < 126:
        header += bytes([n])
    elif n < 1 << 16:
        header += bytes([126]) + struct.pack("!H", n)
    else:
        header += bytes([127]) + struct.pack("!Q", n)
    return header + payload
