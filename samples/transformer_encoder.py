"""A 12-layer pre-norm transformer encoder for sequence classification (BERT-base sizes: d_model 768, 12 heads,
feed-forward width 3072). Each block adds multi-head self-attention and a GELU feed-forward network to its input,
each behind a layer norm; a final layer norm and a linear head read the mean over tokens. Clean."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class SelfAttention(nn.Module):
    """Scaled dot-product attention over all heads: softmax(QKᵀ/√d)V, then an output projection."""

    def __init__(self, d_model: int = 768, n_heads: int = 12):
        super().__init__()
        self.n_heads = n_heads
        self.d_head = d_model // n_heads
        self.query = nn.Linear(d_model, d_model)
        self.key = nn.Linear(d_model, d_model)
        self.value = nn.Linear(d_model, d_model)
        self.out = nn.Linear(d_model, d_model)

    def forward(self, x):
        q = self.query(x)
        k = self.key(x)
        v = self.value(x)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.d_head)
        weights = F.softmax(scores, dim=-1)
        return self.out(weights @ v)


class FeedForward(nn.Module):
    def __init__(self, d_model: int = 768, d_ff: int = 3072, p: float = 0.1):
        super().__init__()
        self.fc1 = nn.Linear(d_model, d_ff)
        self.fc2 = nn.Linear(d_ff, d_model)
        self.drop = nn.Dropout(p)

    def forward(self, x):
        return self.drop(self.fc2(F.gelu(self.fc1(x))))


class EncoderBlock(nn.Module):
    def __init__(self, d_model: int = 768, n_heads: int = 12, d_ff: int = 3072):
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        self.attn = SelfAttention(d_model, n_heads)
        self.norm2 = nn.LayerNorm(d_model)
        self.ffn = FeedForward(d_model, d_ff)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.ffn(self.norm2(x))


class TransformerClassifier(nn.Module):
    def __init__(self, vocab_size: int = 30522, d_model: int = 768, n_layers: int = 12, num_classes: int = 2):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, d_model)
        self.blocks = nn.ModuleList([EncoderBlock(d_model) for _ in range(n_layers)])
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, num_classes)

    def forward(self, tokens):
        x = self.embed(tokens)
        for block in self.blocks:
            x = block(x)
        x = self.norm(x).mean(dim=1)
        return self.head(x)
