"""Prints the machine of ELF files (and of each member of an ar archive):
which architecture a compiled model's libraries and programs were built for.
usage: elf_machine.py FILE..."""
import struct
import sys

MACHINES = {3: "x86", 62: "x86-64", 40: "ARM", 183: "AArch64", 164: "Hexagon"}


def machine(data):
    if data[:4] != b"\x7fELF":
        return None
    little = data[5] == 1
    (number,) = struct.unpack("<H" if little else ">H", data[18:20])
    return MACHINES.get(number, f"machine {number}")


def archive_members(data):
    """The ELF objects of a System V ar archive, in order."""
    offset, members = 8, []
    while offset + 60 <= len(data):
        name = data[offset:offset + 16].decode().strip()
        size = int(data[offset + 48:offset + 58].decode().strip())
        body = data[offset + 60:offset + 60 + size]
        if name not in ("/", "//"):  # skip the symbol and long-name tables
            members.append(machine(body))
        offset += 60 + size + (size % 2)
    return members


for path in sys.argv[1:]:
    with open(path, "rb") as f:
        data = f.read()
    found = archive_members(data) if data.startswith(b"!<arch>\n") else [machine(data)]
    print(f"{path.rsplit('/', 1)[-1]}: {' '.join(str(m) for m in found)}")
