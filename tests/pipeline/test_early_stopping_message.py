"""Early stopping says that it stopped and which epoch's weights it restored (#15 item 7)."""

import keras

from seqkeras.pipeline.config.schema import EarlyStoppingConfig
from seqkeras.pipeline.config.schema import TrainConfig
from seqkeras.pipeline.training.fit_setup import build_callbacks


def test_early_stopping_prints_the_stop_and_the_restored_epoch(tmp_path, capsys):
    train = TrainConfig(early_stopping=EarlyStoppingConfig(patience=1))
    (stopping,) = [
        c for c in build_callbacks(train, tmp_path) if isinstance(c, keras.callbacks.EarlyStopping)
    ]
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    stopping.set_model(model)
    stopping.on_train_begin()
    # A validation loss that rises after the first epoch: epoch 1 is the best.
    for epoch, loss in enumerate([1.0, 2.0, 3.0]):
        stopping.on_epoch_end(epoch, {"val_loss": loss})
        if model.stop_training:
            break
    stopping.on_train_end()
    printed = capsys.readouterr().out
    assert "Epoch 2: early stopping" in printed
    assert "Restoring model weights from the end of the best epoch: 1." in printed
