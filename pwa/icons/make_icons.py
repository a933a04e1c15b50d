"""Draw Merci's icons (a white heart on the app's green) as PNG files, with the standard library only.

Run `python3 pwa/icons/make_icons.py` to write them again. Plain icons have rounded corners; maskable
ones fill the square and keep the heart inside the central safe zone (a circle of 80% of the width).
"""

import struct
import zlib
from pathlib import Path

GREEN = (0x1D, 0x5C, 0x4D)
WHITE = (0xFF, 0xFF, 0xFF)
SAMPLES = 4  # per axis, for smooth edges


def in_heart(x: float, y: float) -> bool:
    """(x² + y² − 1)³ − x²y³ ≤ 0, y up, about 2.3 wide."""
    return (x * x + y * y - 1) ** 3 - x * x * y ** 3 <= 0


def in_rounded_square(x: float, y: float, size: int, radius: float) -> bool:
    cx = min(max(x, radius), size - radius)
    cy = min(max(y, radius), size - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius * radius


def draw(size: int, heart_width: float, rounded: bool) -> bytes:
    rows = []
    scale = 2.4 / (heart_width * size)  # heart units per pixel
    for py in range(size):
        row = bytearray([0])
        for px in range(size):
            heart = inside = 0
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    x = px + (sx + 0.5) / SAMPLES
                    y = py + (sy + 0.5) / SAMPLES
                    if rounded and not in_rounded_square(x, y, size, size * 0.22):
                        continue
                    inside += 1
                    if in_heart((x - size / 2) * scale, -(y - size * 0.52) * scale):
                        heart += 1
            total = SAMPLES * SAMPLES
            alpha = inside / total
            mix = heart / inside if inside else 0
            colour = [round(g + (w - g) * mix) for g, w in zip(GREEN, WHITE)]
            row += bytes(colour) + bytes([round(alpha * 255)])
        rows.append(bytes(row))
    return png(size, b"".join(rows))


def png(size: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


ICONS = {
    "icon-192.png": (192, 0.55, True),
    "icon-512.png": (512, 0.55, True),
    "maskable-192.png": (192, 0.42, False),
    "maskable-512.png": (512, 0.42, False),
    "apple-touch-icon.png": (180, 0.5, False),
}

if __name__ == "__main__":
    here = Path(__file__).parent
    for name, (size, width, rounded) in ICONS.items():
        (here / name).write_bytes(draw(size, width, rounded))
        print(name, size)
