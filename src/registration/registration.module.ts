import { Module } from '@nestjs/common';
import { StateModule } from '../state/state.module.js';
import { VolumeCatalogModule } from '../volumes/volume-catalog.module.js';
import { RegistrationController } from './registration.controller.js';
import { RegistrationService } from './registration.service.js';

@Module({
  imports: [StateModule, VolumeCatalogModule],
  controllers: [RegistrationController],
  providers: [RegistrationService],
  exports: [RegistrationService],
})
export class RegistrationModule {}
