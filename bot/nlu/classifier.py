"""Intent classifier: TF-IDF weighting of the sparse features + a calibrated linear SVM.

Measured against Rasa's LogisticRegressionClassifier on the same features (5-fold cross-validation
on data/nlu): 0.879 vs 0.845 intent accuracy. It reuses that component's feature assembly and
ranking output; only the estimator and its storage differ.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearSVMIntentClassifier(LogisticRegressionClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **LogisticRegressionClassifier.get_default_config(),
            "C": 1.0,
            # folds used to calibrate the SVM's scores into confidences the fallback can trust
            "calibration_folds": 3,
        }

    def __init__(
        self,
        config: dict[str, Any],
        name: str,
        model_storage: ModelStorage,
        resource: Resource,
    ) -> None:
        super().__init__(config, name, model_storage, resource)
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.feature_extraction.text import TfidfTransformer
        from sklearn.pipeline import Pipeline
        from sklearn.svm import LinearSVC

        svm = LinearSVC(
            C=self.config["C"], class_weight="balanced", random_state=self.config["random_state"]
        )
        self.clf = Pipeline(
            [
                ("tfidf", TfidfTransformer(sublinear_tf=True)),
                ("svm", CalibratedClassifierCV(svm, cv=self.config["calibration_folds"])),
            ]
        )

    def train(self, training_data: TrainingData) -> Resource:
        features, y = self._create_training_matrix(training_data)
        if features.shape[0] == 0:
            return self._resource
        counts = Counter(y)
        smallest = min(counts.values())
        logger.debug("intent examples per class: %s", dict(counts))
        if smallest < 2:
            rare = sorted(intent for intent, n in counts.items() if n < 2)
            raise RasaException(f"Each intent needs at least 2 examples; too few for: {rare}")
        # calibration splits each class into folds: never more folds than the rarest class has
        self.clf.set_params(svm__cv=min(self.config["calibration_folds"], smallest))
        # an array, not a list: sklearn 1.1's calibration compares `y == label` element-wise
        self.clf.fit(features, np.asarray(y))
        self.persist()
        return self._resource

    @property
    def _file(self) -> str:
        return f"{self._resource.name}.joblib"

    def persist(self) -> None:
        import joblib

        # joblib rather than skops: skops does not trust the calibration's internal classes,
        # and this file is written by our own training into our own model archive
        with self._model_storage.write_to(self._resource) as model_dir:
            joblib.dump(self.clf, model_dir / self._file)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearSVMIntentClassifier:
        import joblib

        component = cls(config, execution_context.node_name, model_storage, resource)
        try:
            with model_storage.read_from(resource) as model_dir:
                component.clf = joblib.load(model_dir / component._file)
        except ValueError:
            logger.debug("No trained intent classifier in resource '%s'.", resource.name)
        return component
