"""A classifier that applies softmax in forward and then trains with nn.CrossEntropyLoss, which applies
log-softmax again. Planted bug (MA003, probe `overfit`): the loss sees probabilities in [0, 1] as logits, so
the correct class can lead the others by at most 1 and the loss cannot fall below ln(1 + (C-1)/e), about
1.46 for 10 classes. The model trains, slowly and never to zero, which is why it goes unnoticed."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class DoubleSoftmaxClassifier(nn.Module):
    def __init__(self, in_features: int = 32, hidden: int = 64, classes: int = 10):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.fc2 = nn.Linear(hidden, classes)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        return F.softmax(self.fc2(x), dim=1)


def train(model, loader, epochs: int = 5):
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
