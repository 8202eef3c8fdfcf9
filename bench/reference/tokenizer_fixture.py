#!/usr/bin/python3
"""Writes tests/ClipUp.Tests/Text/tokenizer_fixture.json: token ids from OpenAI CLIP's SimpleTokenizer.

Run from the repository root with Debian's Python and regex module (apt: python3, python3-regex):

    /usr/bin/python3 bench/reference/tokenizer_fixture.py

The tokenizer below is openai/CLIP clip/simple_tokenizer.py (MIT, Copyright (c) 2021 OpenAI; open_clip's
tokenizer.py is the same algorithm), copied line for line with ONE deviation: ftfy is not installed here, so
basic_clean does what ClipUp.Text.TextCleaner does instead of ftfy.fix_text, namely Unicode NFC normalisation
(the last step of ftfy.fix_text) followed by html.unescape twice. ftfy's other repairs (mojibake, curly quotes,
ligatures, full-width forms, control characters) are therefore not part of this reference and not part of ClipUp.
A one-off check with ftfy 6.3.1 (not installable here) found no difference on any of the 35,455 Flickr8k and
13,000 fashion captions; of the TRICKY strings below, the ligature, full-width, zero-width/BOM, curly-quote and
control-character ones differ.

Fixture contents:
  strings:   tricky inputs with their Encode ids (no sot/eot), Tokenize row (context 77) and Decode(Encode(x)).
  decode:    id sequences with their Python decode (including cut UTF-8 sequences, decoded with errors=replace).
  clean:     inputs with their cleaned text (whitespace_clean(basic_clean(x)).lower()) and re.findall pieces.
  nfc:       seeded random sequences of starters, combining marks, Hangul jamo and composites with their NFC.
  sweep:     per block of 4096 code points, the SHA-256 of "id id ...\n" over encode("AΣ" + c + "Σe" + c) for
             every code point c in the block (surrogates excluded), to pin every table-driven property.
  flickr8k:  the first 200 Flickr8k train captions with ids, and the SHA-256 over every caption of train.tsv then
             val.tsv of the UTF-8 text "id id id\\n" per caption (ids of encode, no sot/eot, no truncation).
"""
import gzip
import hashlib
import html
import json
import os
import sys
import unicodedata
from functools import lru_cache

import regex as re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BPE_PATH = os.path.join(ROOT, "src", "ClipUp", "Text", "bpe_simple_vocab_16e6.txt.gz")
OUT_PATH = os.path.join(ROOT, "tests", "ClipUp.Tests", "Text", "tokenizer_fixture.json")


# ---- openai/CLIP clip/simple_tokenizer.py (verbatim except basic_clean) ----

@lru_cache()
def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~")+1))+list(range(ord("¡"), ord("¬")+1))+list(range(ord("®"), ord("ÿ")+1))
    cs = bs[:]
    n = 0
    for b in range(2**8):
        if b not in bs:
            bs.append(b)
            cs.append(2**8+n)
            n += 1
    cs = [chr(n) for n in cs]
    return dict(zip(bs, cs))


def get_pairs(word):
    pairs = set()
    prev_char = word[0]
    for char in word[1:]:
        pairs.add((prev_char, char))
        prev_char = char
    return pairs


def basic_clean(text):
    # DEVIATION: ftfy.fix_text(text) is not available; NFC is its final normalisation step.
    text = unicodedata.normalize("NFC", text)
    text = html.unescape(html.unescape(text))
    return text.strip()


def whitespace_clean(text):
    text = re.sub(r'\s+', ' ', text)
    text = text.strip()
    return text


class SimpleTokenizer(object):
    def __init__(self, bpe_path: str = BPE_PATH):
        self.byte_encoder = bytes_to_unicode()
        self.byte_decoder = {v: k for k, v in self.byte_encoder.items()}
        merges = gzip.open(bpe_path).read().decode("utf-8").split('\n')
        merges = merges[1:49152-256-2+1]
        merges = [tuple(merge.split()) for merge in merges]
        vocab = list(bytes_to_unicode().values())
        vocab = vocab + [v+'</w>' for v in vocab]
        for merge in merges:
            vocab.append(''.join(merge))
        vocab.extend(['<|startoftext|>', '<|endoftext|>'])
        self.encoder = dict(zip(vocab, range(len(vocab))))
        self.decoder = {v: k for k, v in self.encoder.items()}
        self.bpe_ranks = dict(zip(merges, range(len(merges))))
        self.cache = {'<|startoftext|>': '<|startoftext|>', '<|endoftext|>': '<|endoftext|>'}
        self.pat = re.compile(r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""", re.IGNORECASE)

    def bpe(self, token):
        if token in self.cache:
            return self.cache[token]
        word = tuple(token[:-1]) + ( token[-1] + '</w>',)
        pairs = get_pairs(word)

        if not pairs:
            return token+'</w>'

        while True:
            bigram = min(pairs, key = lambda pair: self.bpe_ranks.get(pair, float('inf')))
            if bigram not in self.bpe_ranks:
                break
            first, second = bigram
            new_word = []
            i = 0
            while i < len(word):
                try:
                    j = word.index(first, i)
                    new_word.extend(word[i:j])
                    i = j
                except:
                    new_word.extend(word[i:])
                    break

                if word[i] == first and i < len(word)-1 and word[i+1] == second:
                    new_word.append(first+second)
                    i += 2
                else:
                    new_word.append(word[i])
                    i += 1
            new_word = tuple(new_word)
            word = new_word
            if len(word) == 1:
                break
            else:
                pairs = get_pairs(word)
        word = ' '.join(word)
        self.cache[token] = word
        return word

    def encode(self, text):
        bpe_tokens = []
        text = whitespace_clean(basic_clean(text)).lower()
        for token in re.findall(self.pat, text):
            token = ''.join(self.byte_encoder[b] for b in token.encode('utf-8'))
            bpe_tokens.extend(self.encoder[bpe_token] for bpe_token in self.bpe(token).split(' '))
        return bpe_tokens

    def decode(self, tokens):
        text = ''.join([self.decoder[token] for token in tokens])
        text = bytearray([self.byte_decoder[c] for c in text]).decode('utf-8', errors="replace").replace('</w>', ' ')
        return text


# ---- open_clip tokenize(): sot + ids + eot, truncated so that eot stays last, zero padded ----

def tokenize_row(tok, text, context_length=77):
    sot, eot = tok.encoder['<|startoftext|>'], tok.encoder['<|endoftext|>']
    tokens = [sot] + tok.encode(text) + [eot]
    if len(tokens) > context_length:
        tokens = tokens[:context_length]
        tokens[-1] = eot
    return tokens + [0] * (context_length - len(tokens))


TRICKY = [
    "a photo of a cat",
    "",
    "   ",
    "A Photo Of A CAT",
    "Hello, World!!!",
    "don't stop: it's we're they've I'm you'll he'd",
    "DON'T SHOUT, IT'S LOUD",
    "rock'n'roll o'clock 'quoted' ''double''",
    "the 'sun' isn't 'sam's'",
    "1,234.56 and 3.14159 and 2024-01-01",
    "007 agent 1000000 x 42nd",
    "e-mail: someone@example.com, url https://example.com/a?b=c&d=e#frag",
    "café naïve résumé façade jalapeño",
    "cafe\u0301 (decomposed e + combining acute)",
    "Ångström \u212b ohm \u2126 \ufb01",
    "Übermäßig große Straße",
    "ΟΔΟΣ ΣΟΦΟΣ Σ άλφα",
    "İstanbul ıi Iİ",
    "ſtop 'ſ <|ſtartoftext|>",
    "😀 😃😄 grinning",
    "👍🏽 thumbs up with skin tone 👋🏿",
    "👨‍👩‍👧‍👦 family ZWJ sequence 🏳️‍🌈",
    "🇫🇷🇩🇪 flags",
    "a😀b 😀a a😀",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math letters 𝟙𝟚𝟛",
    "𠜎𠜱𠝹 CJK extension B",
    "猫の写真 一只猫 고양이 사진",
    "ﾊﾝｶｸ full width ＡＢＣ１２３",
    "صورة قطة على العشب",
    "עברית בדיקה",
    "हिन्दी में बिल्ली",
    "ไทย แมว",
    "Привет, КОТ!",
    "&amp;amp; &lt;b&gt;bold&lt;/b&gt; &quot;q&quot; &#39;s &#x27;t",
    "AT&T Q&A R&D &copy 2020 &ampx &notit; &NotEqualTilde; &amp",
    "&#128; &#0; &#xD800; &#x1F600; &#99999999999; &#x110000; &#12 &#x;",
    "&amp;lt;p&amp;gt; double escaped",
    "tab\tseparated\tvalues\nnew line\r\nwindows\u00a0nbsp\u2003em\u3000ideographic",
    "multiple     spaces    here",
    "  leading and trailing  ",
    "\x1cfile separator\x1d\x1e\x1f",
    "zero\u200bwidth\u200dspace\ufeffbom",
    "<|endoftext|> inside <|startoftext|> text",
    "a<|endoftext|>b !!<|endoftext|>",
    "<|ENDOFTEXT|> upper case special",
    "MiXeD CaSe WoRdS camelCaseWord snake_case_word",
    "!!!???...,,,;;;:::",
    "~`@#$%^&*()_+-=[]{}|\\:;\"'<>,.?/",
    "“smart quotes” ‘single’ – en dash — em dash … ellipsis",
    "$100 €50 £20 ¥1000 ₹500 50%",
    "x² H₂O ½ ¼ Ⅻ ⑤",
    "control\x00char\x07bell\x7fdel",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    " ".join(["a dog runs on the beach"] * 20),
    " ".join(str(i) for i in range(100)),
    "A black dog and a spotted dog are fighting",
    "A little girl climbing into a wooden playhouse .",
]

DECODE_IDS = [
    [320, 1125, 539, 320, 2368],
    [49406, 320, 2368, 49407],
]

# Byte sequences decoded from their single-byte tokens (no </w>): cut or invalid UTF-8 becomes U+FFFD.
DECODE_BYTES = [
    [0xF0],                          # a lone 4-byte lead
    [0xF0, 0x9F],                    # half an emoji
    [0xC3, 0xA9],                    # 'é' assembled from two byte tokens
    [0xC4, 0x44],                    # lead byte then 'D'
    [0xE2, 0x82, 0x41, 0xF0, 0x9F, 0x98, 0x80],  # cut 3-byte sequence, 'A', then a whole emoji
    [0xED, 0xA0, 0x80],              # an encoded surrogate (invalid in UTF-8)
    [0xC0, 0xAF, 0xFF],              # overlong '/', and a byte never valid in UTF-8
]


NFC_POOL = [
    0x61, 0x65, 0x6F, 0x41, 0x45, 0x73, 0x53, 0x75, 0x69, 0x63, 0x20,
    0x300, 0x301, 0x302, 0x303, 0x308, 0x30A, 0x323, 0x327, 0x328, 0x331, 0x345, 0x340, 0x341, 0x343,
    0x344, 0x34F, 0x313, 0x314, 0x342, 0x391, 0x3B1, 0x3A9, 0x399, 0x1F00, 0x5B0, 0x5B4, 0x5BC, 0x5C1,
    0x5C2, 0x5E9, 0x915, 0x93C, 0x958, 0xF71, 0xF72, 0xF80, 0xFB2, 0xB47, 0xB3E, 0xB57, 0xCC6, 0xCC2,
    0xCD5, 0xDD9, 0xDCF, 0xDCA, 0x1025, 0x102E, 0x1100, 0x1101, 0x1161, 0x1162, 0x11A8, 0x11A9, 0xAC00,
    0xAC01, 0x1E0A, 0x1E63, 0xC5, 0x212B, 0x2126, 0xF900, 0x2F800, 0x1D15E, 0x1D165, 0x1D16E, 0x3099,
    0x309A, 0x304B, 0x30AB, 0x11099, 0x110BA, 0x11131, 0x11127, 0x3A3,
]

CLEAN_EXTRA = [
    "ΣΑΣ. Σ' ΑΣ'Σ ΑΣ\u0301 Α\u0345Σ ΑΣ\u0345 a\u02b0Σ",
    "&AMP;amp &#65;&#x42;&#X43 &#9;tab&#10;line&#13;cr",
    "&&amp;& &; &#; &#x; &#xG; &a; &zzzz; &amp;&lt;",
    "&" + "a" * 40 + "; &abcdefghijklmnopqrstuvwxyzabcdefg;",
    "\u00a0\u2028x\u2029\u0085y\x1c",
    "\U0001D400\U0001D41A \U00010400\U00010428 \u1E9E\u00DF \u01C5\u01C4",
    "\u2160\u2170 \u24B6\u24D0 \uFF21\uFF41",
]


def nfc_cases(count=400, seed=1234):
    import random
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        text = "".join(chr(rng.choice(NFC_POOL)) for _ in range(rng.randint(1, 8)))
        cases.append({"text": text, "nfc": unicodedata.normalize("NFC", text)})
    return cases


def sweep(tok):
    blocks = []
    for block in range(0x110000 // 4096):
        sha = hashlib.sha256()
        for c in range(block * 4096, block * 4096 + 4096):
            if 0xD800 <= c <= 0xDFFF:
                continue
            ids = tok.encode("AΣ" + chr(c) + "Σe" + chr(c))
            sha.update((" ".join(map(str, ids)) + "\n").encode("utf-8"))
        blocks.append(sha.hexdigest())
    return blocks


def main():
    tok = SimpleTokenizer()
    strings = []
    for s in TRICKY:
        ids = tok.encode(s)
        strings.append({"text": s, "ids": ids, "row77": tokenize_row(tok, s), "decoded": tok.decode(ids)})
    clean = []
    for x in TRICKY + CLEAN_EXTRA:
        c = whitespace_clean(basic_clean(x)).lower()
        clean.append({"text": x, "clean": c, "pieces": re.findall(tok.pat, c)})
    decode_ids = DECODE_IDS + [[tok.encoder[tok.byte_encoder[b]] for b in bs] for bs in DECODE_BYTES]
    decode = [{"ids": ids, "text": tok.decode(ids)} for ids in decode_ids]

    data = os.path.join(ROOT, "..", "shared", "data", "flickr8k")
    if not os.path.isdir(data):
        data = "/work/shared/data/flickr8k"
    captions = []
    for split in ("train", "val"):
        with open(os.path.join(data, split + ".tsv"), encoding="utf-8") as f:
            header = f.readline().rstrip("\n").split("\t")
            col = header.index("caption")
            for line in f:
                line = line.rstrip("\n")
                if line:
                    captions.append(line.split("\t")[col])
    sha = hashlib.sha256()
    first = []
    total_tokens = 0
    for i, c in enumerate(captions):
        ids = tok.encode(c)
        total_tokens += len(ids)
        sha.update((" ".join(map(str, ids)) + "\n").encode("utf-8"))
        if i < 200:
            first.append({"text": c, "ids": ids})
    fixture = {
        "generator": "bench/reference/tokenizer_fixture.py",
        "python": sys.version.split()[0],
        "regex": re.__version__,
        "unicodedata": unicodedata.unidata_version,
        "cleaning": "NFC + html.unescape twice (no ftfy)",
        "strings": strings,
        "decode": decode,
        "clean": clean,
        "nfc": nfc_cases(),
        "sweep": sweep(tok),
        "flickr8k": {
            "files": ["flickr8k/train.tsv", "flickr8k/val.tsv"],
            "captions": len(captions),
            "tokens": total_tokens,
            "sha256": sha.hexdigest(),
            "first": first,
        },
    }
    os.makedirs(os.path.dirname(OUT_PATH), exist_ok=True)
    with open(OUT_PATH, "w", encoding="utf-8") as f:
        json.dump(fixture, f, ensure_ascii=True, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT_PATH}: {len(strings)} strings, {len(captions)} captions, {total_tokens} tokens")


if __name__ == "__main__":
    main()
