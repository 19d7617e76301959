"""A feature extractor that ends with a Linear feeding a head that starts with one: the missing
activation sits between two submodules, where no single class shows it."""
import torch
import torch.nn as nn


class FeatureExtractor(nn.Module):
    def __init__(self, d_in=40, hidden=128):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.fc2 = nn.Linear(hidden, hidden)

    def forward(self, x):
        return self.fc2(torch.tanh(self.fc1(x)))


class Head(nn.Module):
    def __init__(self, hidden=128, classes=6):
        super().__init__()
        self.fc = nn.Linear(hidden, 256)
        self.out = nn.Linear(256, classes)

    def forward(self, h):
        return self.out(torch.relu(self.fc(h)))


class ActivityClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = FeatureExtractor()
        self.head = Head()

    def forward(self, x):
        h = self.features(x)
        return self.head(h)
