"""Which graph codec a vocabulary needs, and what serving it requires."""

from seqkeras.export.codecs.text_codec import TextCodec


def text_codec(vocab):
    """The graph codec of `vocab`: a `TextCodec`, or a `SubwordCodec` for subword tokens.

    The subword one is imported only here, so that exports without subword
    tokens never import tensorflow-text.
    """
    if vocab.split == "subword":
        from seqkeras.export.codecs.subword_codec import SubwordCodec

        return SubwordCodec(vocab)
    return TextCodec(vocab)


def serving_requirements(*vocabs) -> dict:
    """What `seqkeras_export.json` records of the packages a serving process needs.

    `{"requires": ["tensorflow-text"]}` when a vocabulary has subword tokens
    (the SentencePiece ops are tensorflow-text's), else nothing. `None`
    (an export without text) is skipped.
    """
    if any(vocab is not None and vocab.split == "subword" for vocab in vocabs):
        return {"requires": ["tensorflow-text"]}
    return {}
