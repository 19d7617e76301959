"""A dense autoencoder. The encoder's last Linear and the decoder's first Linear compose with no activation
between them, through a 32-wide code: that is an intentional low-rank bottleneck, reported as information only."""
import torch
import torch.nn as nn


class Encoder(nn.Module):
    def __init__(self, d_in=784, hidden=256, code=32):
        super().__init__()
        self.fc = nn.Linear(d_in, hidden)
        self.to_code = nn.Linear(hidden, code)

    def forward(self, x):
        return self.to_code(torch.relu(self.fc(x)))


class Decoder(nn.Module):
    def __init__(self, code=32, hidden=256, d_out=784):
        super().__init__()
        self.from_code = nn.Linear(code, hidden)
        self.fc = nn.Linear(hidden, d_out)

    def forward(self, z):
        return torch.sigmoid(self.fc(torch.relu(self.from_code(z))))


class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = Encoder()
        self.decoder = Decoder()

    def forward(self, x):
        return self.decoder(self.encoder(x))
